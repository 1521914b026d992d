//! Types and signatures rendered as comparable text.
//!
//! Paths render as their last segment: `::std::os::raw::c_ulong` and our `ctypes::c_ulong` both name the C type of
//! the architecture, `bindings::kvm_regs` and `kvm_regs` the same struct (the struct itself is compared by path).
//! Two renderings exist: raw (what the source says, shown in messages and CHANGELOG bullets) and expanded (type
//! aliases replaced by what they name, C types by this arch's primitive), under which `[__u8; 4096]` and
//! `[u8; 4096]` are the same type to every user.

use std::collections::HashMap;

use rustdoc_types::{Function, FunctionSignature, GenericArg, GenericArgs, Generics, Id, ItemEnum, Type};

use crate::world::{Target, World};

/// The C type names of `core::ffi`/`std::os::raw`, which differ per arch and are compared by what they are.
pub fn is_c_type(name: &str) -> bool {
    const NAMES: [&str; 14] = [
        "char",
        "schar",
        "uchar",
        "short",
        "ushort",
        "int",
        "uint",
        "long",
        "ulong",
        "longlong",
        "ulonglong",
        "float",
        "double",
        "void",
    ];
    name.strip_prefix("c_").is_some_and(|rest| NAMES.contains(&rest))
}

/// How to expand aliases: the world of the crate at hand, which crate, and this arch's C types.
#[derive(Clone, Copy)]
pub struct Expand<'a> {
    pub world: &'a World,
    pub krate: usize,
    pub c_types: &'a HashMap<String, String>,
}

impl<'a> Expand<'a> {
    /// The type an alias names, with the crate it is written in, when it is a non-generic alias we can follow.
    /// C types become primitives through `c_types` alone, the same table for both sides (0.14.2's are std's
    /// `::std::os::raw::c_uint`, with no JSON to follow).
    fn alias_target(&self, id: Id) -> Option<(Expand<'a>, &'a Type)> {
        let target = self.world.resolve(self.krate, id)?;
        let Target::Local(k, _) = target else { return None };
        let item = self.world.item(&target)?;
        match &item.inner {
            ItemEnum::TypeAlias(alias)
                if alias.generics.params.is_empty() && !item.name.as_deref().is_some_and(is_c_type) =>
            {
                Some((Expand { krate: k, ..*self }, &alias.type_))
            }
            _ => None,
        }
    }
}

/// The text of a type: raw without `cx`, expanded with it.
pub fn ty(t: &Type, cx: Option<Expand>) -> String {
    match t {
        Type::Primitive(p) | Type::Generic(p) => p.clone(),
        Type::ResolvedPath(p) => {
            let name = p.path.rsplit("::").next().unwrap_or(&p.path);
            if let Some(cx) = cx {
                if is_c_type(name) {
                    if let Some(primitive) = cx.c_types.get(name) {
                        return primitive.clone();
                    }
                }
                if let Some((inner_cx, target)) = cx.alias_target(p.id) {
                    return ty(target, Some(inner_cx));
                }
            }
            format!("{name}{}", generic_args(p.args.as_deref(), cx))
        }
        Type::Array { type_, len } => format!("[{}; {}]", ty(type_, cx), array_len(len)),
        Type::Slice(inner) => format!("[{}]", ty(inner, cx)),
        Type::Tuple(items) => format!("({})", items.iter().map(|t| ty(t, cx)).collect::<Vec<_>>().join(", ")),
        Type::BorrowedRef {
            lifetime,
            is_mutable,
            type_,
        } => format!(
            "&{}{}{}",
            lifetime.as_ref().map_or(String::new(), |l| format!("{l} ")),
            if *is_mutable { "mut " } else { "" },
            ty(type_, cx)
        ),
        Type::RawPointer { is_mutable, type_ } => {
            format!("*{} {}", if *is_mutable { "mut" } else { "const" }, ty(type_, cx))
        }
        Type::QualifiedPath {
            name,
            self_type,
            trait_,
            ..
        } => format!(
            "<{} as {}>::{name}",
            ty(self_type, cx),
            trait_.as_ref().map_or("", |t| t.path.rsplit("::").next().unwrap_or(""))
        ),
        Type::FunctionPointer(f) => format!("fn{}", sig(&f.sig, cx)),
        Type::DynTrait(d) => format!(
            "dyn {}",
            d.traits
                .iter()
                .map(|t| t.trait_.path.rsplit("::").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        other => json_without_ids(other),
    }
}

/// An array length as a number when it is one (`4096usize` and `4096` are the same length).
fn array_len(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = text.strip_suffix("usize").unwrap_or(&text);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        digits.to_string()
    } else {
        text
    }
}

fn generic_args(args: Option<&GenericArgs>, cx: Option<Expand>) -> String {
    let Some(GenericArgs::AngleBracketed { args, constraints }) = args else {
        return String::new();
    };
    let mut parts: Vec<String> = args
        .iter()
        .map(|a| match a {
            GenericArg::Type(t) => ty(t, cx),
            GenericArg::Lifetime(l) => l.clone(),
            other => json_without_ids(other),
        })
        .collect();
    parts.extend(constraints.iter().map(json_without_ids));
    if parts.is_empty() {
        String::new()
    } else {
        format!("<{}>", parts.join(", "))
    }
}

/// A trait's name with its arguments, as an impl names it.
pub fn trait_name(path: &rustdoc_types::Path, cx: Option<Expand>) -> String {
    let name = path.path.rsplit("::").next().unwrap_or(&path.path);
    format!("{name}{}", generic_args(path.args.as_deref(), cx))
}

fn sig(s: &FunctionSignature, cx: Option<Expand>) -> String {
    let inputs: Vec<String> = s
        .inputs
        .iter()
        .map(|(name, t)| format!("{name}: {}", ty(t, cx)))
        .collect();
    let output = s.output.as_ref().map_or("()".to_string(), |t| ty(t, cx));
    format!("({}) -> {output}", inputs.join(", "))
}

/// Generic parameters and where clauses, as sorted JSON without ids (empty when there are none).
pub fn generics(g: &Generics) -> String {
    if g.params.is_empty() && g.where_predicates.is_empty() {
        String::new()
    } else {
        json_without_ids(g)
    }
}

/// A function's qualifiers, ABI and signature.
pub fn function_text(f: &Function, cx: Option<Expand>) -> String {
    let h = &f.header;
    let abi = match &h.abi {
        rustdoc_types::Abi::Rust => String::new(),
        rustdoc_types::Abi::Other(name) => format!("extern \"{name}\" "),
        other => {
            let debug = format!("{other:?}");
            format!("extern \"{}\" ", debug.split([' ', '{']).next().unwrap_or(&debug))
        }
    };
    format!(
        "{}{}{abi}fn{}{}",
        if h.is_const { "const " } else { "" },
        if h.is_unsafe { "unsafe " } else { "" },
        generics(&f.generics),
        sig(&f.sig, cx)
    )
}

/// Sorted JSON of a value with every `id` removed: ids differ between any two documentations of the same code.
pub fn json_without_ids<T: serde::Serialize + ?Sized>(value: &T) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("id");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    strip(&mut v);
    v.to_string()
}
