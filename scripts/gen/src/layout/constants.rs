//! The constants check, run by check-layout beside the layouts: with the arch's own gcc and the same installed
//! headers,
//!
//! 1. every object-like macro *defined in* `linux/kvm.h` or `asm/kvm.h` (gcc's `-dD` output and its line markers say
//!    which file defines what) that gcc accepts as an integer constant expression must have a Rust constant of its
//!    name: a request code (`_IO`, `_IOR`, `_IOW`, `_IOWR` in its definition) in the `ioctls` module, one that
//!    belongs at the crate root (`at_root`: bindgen's own macro evaluator gives it, or kvm-bindings 0.14.2 has it
//!    there) at the root, any other in the `evaluated` module;
//! 2. every Rust constant the layout program prints (as rustc evaluates it) that has a C counterpart of the same name
//!    (a macro of any header `linux/kvm.h` includes, or an enumerator: bindgen's `ENUM_NAME` constants are C's
//!    `NAME`) is `_Static_assert`ed equal to it;
//! 3. every hand-written `const fn` mirroring a function-like macro (`kvm_x86_reg_msr` and `KVM_X86_REG_MSR`) gives
//!    the macro's value at each argument the layout program called it with. Those macros are statement expressions,
//!    which no `_Static_assert` accepts, so gcc compares them at `-O2` inside a function: a mismatch leaves a call to a
//!    function declared with `__attribute__((error))`, which gcc then rejects.
//!
//! "Equal" means the same value once converted to the Rust constant's type, and back to C's type without loss: the
//! bits a program passes to the kernel are C's. A constant whose type reads those bits with the other sign
//! (`KVM_REG_ARCH_MASK` is an `i64` in kvm-bindings 0.14, an `unsigned long long` in C) is equal, and listed in a note.
//!
//! Which of many probes gcc rejects is read from its errors' line numbers (`-ftrack-macro-expansion=0` reports an
//! error inside a macro at the line that uses it), then confirmed: the accepted probes must compile together, and
//! each rejected one alone must fail.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The headers whose macros must all be constants, relative to the include directory.
const KVM_HEADERS: &[&str] = &["linux/kvm.h", "asm/kvm.h"];

/// The macros that mark a request code in the kernel's definitions.
const REQUEST_CODE_MACROS: &[&str] = &["_IO", "_IOR", "_IOW", "_IOWR"];

/// The Rust module that holds the request codes.
const REQUEST_CODE_MODULE: &str = "ioctls";

/// The Rust module that holds the constants only clang's evaluation of their macros gives; the others are at the
/// crate root.
const EVALUATED_MODULE: &str = "evaluated";

/// An integer type as the layout program describes it: its size in bytes and whether it is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IntegerType {
    size: usize,
    signed: bool,
}

impl IntegerType {
    fn parse(size: &str, signedness: &str) -> Result<Self, String> {
        let size = size.parse().map_err(|e| format!("bad size {size:?}: {e}"))?;
        let signed = match signedness {
            "i" => true,
            "u" => false,
            other => return Err(format!("bad signedness {other:?}")),
        };
        Ok(IntegerType { size, signed })
    }

    /// The C spelling of the type (the same widths on every Linux target the project has: LP64).
    fn c_type(self) -> Result<&'static str, String> {
        Ok(match (self.size, self.signed) {
            (1, true) => "signed char",
            (1, false) => "unsigned char",
            (2, true) => "short",
            (2, false) => "unsigned short",
            (4, true) => "int",
            (4, false) => "unsigned int",
            (8, true) => "long long",
            (8, false) => "unsigned long long",
            _ => return Err(format!("no C integer type of {} bytes", self.size)),
        })
    }

    fn rust_name(self) -> String {
        format!("{}{}", if self.signed { "i" } else { "u" }, self.size * 8)
    }
}

/// A C expression of exactly `value` in `ty`: `((unsigned int)16ULL)`, `((long long)(-72057594037927935LL - 1))`.
fn c_literal(value: i128, ty: IntegerType) -> Result<String, String> {
    let c_type = ty.c_type()?;
    if !(i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&value) {
        return Err(format!("{value} does not fit 64 bits"));
    }
    Ok(if value >= 0 {
        format!("(({c_type}){value}ULL)")
    } else {
        format!("(({c_type})(-{}LL - 1))", -value - 1)
    })
}

/// The C condition "`expression` equals the Rust `value` of type `ty`": the same value in the Rust type, and the
/// Rust value converted to C's type is C's value (so no bit was lost in either direction).
fn c_equal(expression: &str, value: i128, ty: IntegerType) -> Result<String, String> {
    let rust = c_literal(value, ty)?;
    let c_type = ty.c_type()?;
    Ok(format!(
        "(({c_type})({expression}) == {rust} && ({expression}) == (__typeof__({expression})){rust})"
    ))
}

/// The C condition "`expression` is `value` as a number", sign included.
fn c_same_number(expression: &str, value: i128, ty: IntegerType) -> Result<String, String> {
    let rust = c_literal(value, ty)?;
    Ok(format!(
        "((({expression}) < 0) == ({rust} < 0) && (unsigned long long)({expression}) == (unsigned long long){rust})"
    ))
}

/// The C condition "`expression` is an integer constant expression" (inside `_Static_assert`): an integer type, and
/// usable as an operand of `|` (a type, a string, an initializer or an incomplete `sizeof` is rejected).
fn c_is_integer(expression: &str) -> String {
    format!(
        "(_Generic(({expression}), _Bool: 1, char: 1, signed char: 1, unsigned char: 1, short: 1, unsigned short: 1, \
         int: 1, unsigned int: 1, long: 1, unsigned long: 1, long long: 1, unsigned long long: 1, default: 0) \
         && (({expression}) | 1))"
    )
}

/// One constant of the Rust bindings, as the layout program printed it.
#[derive(Debug, Clone)]
struct RustConstant {
    /// `-` (the crate root) or a module name.
    module: String,
    name: String,
    /// The name of its C counterpart, if C has one.
    c_name: String,
    value: i128,
    ty: IntegerType,
}

impl RustConstant {
    fn path(&self) -> String {
        match self.module.as_str() {
            "-" => self.name.clone(),
            module => format!("{module}::{}", self.name),
        }
    }
}

/// One call of a hand-written `const fn`, as the layout program printed it.
#[derive(Debug, Clone)]
struct Call {
    module: String,
    function: String,
    /// A literal or the name of a constant: C's argument is that, converted to the Rust parameter's type.
    argument: String,
    argument_type: IntegerType,
    result: i128,
    result_type: IntegerType,
}

impl Call {
    fn c_macro(&self) -> String {
        self.function.to_ascii_uppercase()
    }

    fn c_expression(&self) -> Result<String, String> {
        Ok(format!(
            "{}(({})({}))",
            self.c_macro(),
            self.argument_type.c_type()?,
            self.argument
        ))
    }
}

/// The `const` and `call` lines of the layout program's output.
fn parse_table(lines: &[&str]) -> Result<(Vec<RustConstant>, Vec<Call>), String> {
    let number = |text: &str, line: &str| text.parse::<i128>().map_err(|e| format!("bad number in {line:?}: {e}"));
    let mut constants = Vec::new();
    let mut calls = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["const", module, name, c_name, value, size, signedness] => constants.push(RustConstant {
                module: module.to_string(),
                name: name.to_string(),
                c_name: c_name.to_string(),
                value: number(value, line)?,
                ty: IntegerType::parse(size, signedness)?,
            }),
            [
                "call",
                module,
                function,
                argument,
                argument_size,
                argument_signedness,
                result,
                size,
                signedness,
            ] => calls.push(Call {
                module: module.to_string(),
                function: function.to_string(),
                // `LABEL=VALUE`: gcc is given the label (a literal, or the name of a constant).
                argument: argument.split('=').next().unwrap_or_default().to_string(),
                argument_type: IntegerType::parse(argument_size, argument_signedness)?,
                result: number(result, line)?,
                result_type: IntegerType::parse(size, signedness)?,
            }),
            _ => return Err(format!("unexpected line from the layout program: {line}")),
        }
    }
    Ok((constants, calls))
}

/// An object-like macro visible after `#include <linux/kvm.h>`.
#[derive(Debug, Clone)]
struct Macro {
    name: String,
    body: String,
    /// Defined in `linux/kvm.h` or `asm/kvm.h`.
    in_kvm_headers: bool,
}

impl Macro {
    /// Whether the definition names `_IO`, `_IOR`, `_IOW` or `_IOWR` as a macro call.
    fn is_request_code(&self) -> bool {
        let body = self.body.as_bytes();
        REQUEST_CODE_MACROS.iter().any(|marker| {
            self.body.match_indices(marker).any(|(at, _)| {
                let before_ok = at == 0 || !(body[at - 1].is_ascii_alphanumeric() || body[at - 1] == b'_');
                let rest = self.body[at + marker.len()..].trim_start();
                before_ok && rest.starts_with('(')
            })
        })
    }
}

/// The macros visible after `#include <linux/kvm.h>` (from gcc's `-dD` output): object-like ones in definition
/// order, and the names of the function-like ones.
fn parse_macros(preprocessed: &str, headers: &Path) -> (Vec<Macro>, BTreeSet<String>) {
    let kvm_headers: Vec<String> = KVM_HEADERS
        .iter()
        .map(|header| headers.join(header).display().to_string())
        .collect();
    let mut in_kvm_headers = false;
    let mut object_like: BTreeMap<String, (usize, Macro)> = BTreeMap::new();
    let mut function_like = BTreeSet::new();
    for (index, line) in preprocessed.lines().enumerate() {
        // Line markers: `# LINE "FILE" FLAGS…`.
        if let Some(rest) = line.strip_prefix("# ") {
            if let Some(file) = rest.split('"').nth(1) {
                in_kvm_headers = kvm_headers.iter().any(|header| header == file);
            }
        } else if let Some(definition) = line.strip_prefix("#define ") {
            let end = definition
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(definition.len());
            let name = definition[..end].to_string();
            let rest = &definition[end..];
            if rest.starts_with('(') {
                object_like.remove(&name);
                function_like.insert(name);
            } else {
                function_like.remove(&name);
                let body = rest.trim().to_string();
                let entry = Macro {
                    name: name.clone(),
                    body,
                    in_kvm_headers,
                };
                object_like.insert(name, (index, entry));
            }
        } else if let Some(name) = line.strip_prefix("#undef ") {
            object_like.remove(name.trim());
            function_like.remove(name.trim());
        }
    }
    let mut ordered: Vec<(usize, Macro)> = object_like.into_values().collect();
    ordered.sort_by_key(|(index, _)| *index);
    (ordered.into_iter().map(|(_, m)| m).collect(), function_like)
}

/// One arch's gcc, headers and scratch directory.
struct Compiler<'a> {
    arch: &'a str,
    gcc: &'a str,
    /// The compiler's own arguments from arches.tsv (clang-19's `--target=…` where the arch has no gcc here).
    gcc_args: &'a [&'a str],
    headers: &'a Path,
    scratch: &'a Path,
}

/// What gcc said of one compilation.
struct Verdict {
    success: bool,
    stderr: String,
}

impl Compiler<'_> {
    fn compile(&self, file_name: &str, source: &str, flags: &[&str]) -> Result<Verdict, String> {
        let path = self.scratch.join(format!("constants-{}-{file_name}", self.arch));
        fs::write(&path, source).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let output = Command::new(self.gcc)
            .args(self.gcc_args)
            // Plain quotes and English in the messages this reads.
            .env("LC_ALL", "C")
            .args(["-std=gnu11", "-nostdinc", "-w"])
            .args(self.unlimited_errors_at_the_probe())
            .args(flags)
            .arg("-I")
            .arg(self.headers)
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.gcc))?;
        Ok(Verdict {
            success: output.status.success(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }

    /// The flags that make the compiler report every error, each at the line of the probe that caused it rather
    /// than inside a macro: gcc's, or clang's spelling (clang reports at the expansion by default).
    fn unlimited_errors_at_the_probe(&self) -> &'static [&'static str] {
        if self.gcc.starts_with("clang") {
            &["-ferror-limit=0"]
        } else {
            &["-ftrack-macro-expansion=0", "-fmax-errors=0"]
        }
    }

    /// `gcc -dD -E` of `#include <linux/kvm.h>`.
    fn preprocess(&self) -> Result<String, String> {
        let path = self.scratch.join(format!("constants-{}-macros.c", self.arch));
        fs::write(&path, "#include <linux/kvm.h>\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        crate::process::output_of(
            Command::new(self.gcc)
                .args(self.gcc_args)
                .args(["-std=gnu11", "-nostdinc", "-dD", "-E", "-I"])
                .arg(self.headers)
                .arg(&path),
        )
    }

    /// Which of `probes` (one C declaration each, after `#include <linux/kvm.h>`) gcc rejects, by index.
    fn rejected(&self, purpose: &str, probes: &[String]) -> Result<BTreeSet<usize>, String> {
        const PRELUDE: &str = "#include <linux/kvm.h>\n";
        let first_line = PRELUDE.lines().count() + 1;
        let file_name = format!("{purpose}.c");
        let source = |probes: &mut dyn Iterator<Item = &String>| {
            let mut text = PRELUDE.to_string();
            probes.for_each(|probe| writeln!(text, "{probe}").unwrap());
            text
        };
        let verdict = self.compile(&file_name, &source(&mut probes.iter()), &["-fsyntax-only"])?;
        let mut rejected = BTreeSet::new();
        if !verdict.success {
            let marker = format!("constants-{}-{file_name}:", self.arch);
            for line in verdict.stderr.lines().filter(|line| line.contains(": error: ")) {
                let at_probe = line
                    .split_once(&marker)
                    .and_then(|(_, rest)| rest.split(':').next())
                    .and_then(|number| number.parse::<usize>().ok())
                    .and_then(|number| number.checked_sub(first_line))
                    .filter(|index| *index < probes.len());
                match at_probe {
                    Some(index) => rejected.insert(index),
                    None => {
                        return Err(format!(
                            "{}: gcc failed outside the probes ({purpose}):\n{}",
                            self.arch, verdict.stderr
                        ));
                    }
                };
            }
            if rejected.is_empty() {
                return Err(format!(
                    "{}: gcc failed without an error at a probe ({purpose}):\n{}",
                    self.arch, verdict.stderr
                ));
            }
        }
        // Confirm: the accepted ones together, each rejected one alone.
        if !rejected.is_empty() {
            let accepted = &mut probes
                .iter()
                .enumerate()
                .filter(|(i, _)| !rejected.contains(i))
                .map(|(_, p)| p);
            let together = self.compile(&file_name, &source(accepted), &["-fsyntax-only"])?;
            if !together.success {
                return Err(format!(
                    "{}: gcc's verdicts on the probes depend on each other ({purpose}):\n{}",
                    self.arch, together.stderr
                ));
            }
            // One compilation per rejected probe, a thread per core.
            let rejected: Vec<usize> = rejected.iter().copied().collect();
            let threads = std::thread::available_parallelism().map_or(2, usize::from);
            let chunks: Vec<&[usize]> = rejected.chunks(rejected.len().div_ceil(threads)).collect();
            let source = &source;
            let alone: Vec<Result<(), String>> = std::thread::scope(|scope| {
                let workers: Vec<_> = chunks
                    .into_iter()
                    .map(|chunk| {
                        scope.spawn(move || {
                            for &index in chunk {
                                let name = format!("{purpose}-{index}.c");
                                let probe = &mut std::iter::once(&probes[index]);
                                if self.compile(&name, &source(probe), &["-fsyntax-only"])?.success {
                                    return Err(format!(
                                        "{}: gcc rejects `{}` only beside other probes ({purpose})",
                                        self.arch, probes[index]
                                    ));
                                }
                            }
                            Ok(())
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().expect("no panic"))
                    .collect()
            });
            alone.into_iter().collect::<Result<Vec<()>, String>>()?;
            return Ok(rejected.into_iter().collect());
        }
        Ok(rejected)
    }

    /// gcc's values of integer constant `expressions`, as text (`18374686479671623680`, `-1`), for messages; `?`
    /// where they cannot be read from gcc's assembly.
    fn values(&self, expressions: &[String]) -> Vec<String> {
        let unknown = || vec!["?".to_string(); expressions.len()];
        if expressions.is_empty() {
            return Vec::new();
        }
        let mut source = String::from("#include <linux/kvm.h>\n");
        for (i, expression) in expressions.iter().enumerate() {
            writeln!(
                source,
                "const unsigned long long kvm_bindings_value_{i} = (unsigned long long)({expression});\n\
                 const unsigned long long kvm_bindings_negative_{i} = ({expression}) < 0;"
            )
            .unwrap();
        }
        let assembly = self.scratch.join(format!("constants-{}-values.s", self.arch));
        let assembly_flag = assembly.display().to_string();
        let Ok(verdict) = self.compile("values.c", &source, &["-S", "-O0", "-o", &assembly_flag]) else {
            return unknown();
        };
        let Some(text) = verdict.success.then(|| fs::read_to_string(&assembly).ok()).flatten() else {
            return unknown();
        };
        // The directive after each label: `.quad N` (x86, s390x), `.xword N` (arm64), `.dword N` (riscv, mips),
        // `.zero 8` or `.space 8`.
        let mut after_label = BTreeMap::new();
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if let Some(label) = line.strip_suffix(':').filter(|l| l.starts_with("kvm_bindings_")) {
                let value = lines.next().and_then(|directive| {
                    let mut parts = directive.split_whitespace();
                    match (parts.next()?, parts.next()?) {
                        // mips writes a zero as `.space 8`, the others as `.zero 8`.
                        (".zero" | ".space", "8") => Some(0u64),
                        // s390x writes large values in hex (`0xff00000000000000`), mips negative ones signed.
                        (".quad" | ".xword" | ".dword" | ".8byte", n) => match n.strip_prefix("0x") {
                            Some(hex) => u64::from_str_radix(hex, 16).ok(),
                            None => n
                                .parse::<u64>()
                                .ok()
                                .or_else(|| n.parse::<i64>().ok().map(|n| n as u64)),
                        },
                        _ => None,
                    }
                });
                after_label.insert(label.to_string(), value);
            }
        }
        (0..expressions.len())
            .map(|i| {
                let value = after_label.get(&format!("kvm_bindings_value_{i}")).copied().flatten();
                let negative = after_label
                    .get(&format!("kvm_bindings_negative_{i}"))
                    .copied()
                    .flatten();
                match (value, negative) {
                    (Some(v), Some(1)) => (v as i64).to_string(),
                    (Some(v), Some(0)) => v.to_string(),
                    _ => "?".to_string(),
                }
            })
            .collect()
    }
}

/// Names, wrapped to lines of about 110 characters, each line indented.
fn wrapped(names: &[String]) -> String {
    let mut text = String::new();
    let mut line = String::new();
    for name in names {
        if !line.is_empty() && line.len() + name.len() > 108 {
            writeln!(text, "    {line}").unwrap();
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(name);
    }
    if !line.is_empty() {
        writeln!(text, "    {line}").unwrap();
    }
    text
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Checks one arch's constants and const fns (the `const` and `call` lines of the layout program) against its gcc;
/// prints a summary line and, on failure, what differs. Returns whether everything matched.
///
/// `at_root` names the constants that belong at the crate root (see `root_constants`); the other non-request-code
/// constants belong in the `evaluated` module.
pub fn check(
    arch: &str,
    gcc: &str,
    gcc_args: &[&str],
    headers: &Path,
    scratch: &Path,
    lines: &[&str],
    at_root: &BTreeSet<String>,
) -> Result<bool, String> {
    let compiler = Compiler {
        arch,
        gcc,
        gcc_args,
        headers,
        scratch,
    };
    let (constants, calls) = parse_table(lines)?;
    let (macros, function_like) = parse_macros(&compiler.preprocess()?, headers);

    // 1. Which names are integer constants for gcc: the kvm headers' macros and every Rust constant's C name.
    let mut candidates: Vec<String> = macros
        .iter()
        .filter(|m| m.in_kvm_headers)
        .map(|m| m.name.clone())
        .collect();
    let known: BTreeSet<String> = candidates.iter().cloned().collect();
    let rust_c_names: BTreeSet<String> = constants.iter().map(|c| c.c_name.clone()).collect();
    candidates.extend(rust_c_names.iter().filter(|name| !known.contains(*name)).cloned());
    let probes: Vec<String> = candidates
        .iter()
        .map(|name| format!("_Static_assert({}, \"{name}\");", c_is_integer(name)))
        .collect();
    let rejected = compiler.rejected("integer", &probes)?;
    let integers: BTreeSet<&str> = candidates
        .iter()
        .enumerate()
        .filter(|(i, _)| !rejected.contains(i))
        .map(|(_, name)| name.as_str())
        .collect();
    let macro_names: BTreeSet<&str> = macros.iter().map(|m| m.name.as_str()).collect();

    // 2. Every integer macro of the kvm headers has a Rust constant, in the right module.
    let kvm_integers: Vec<&Macro> = macros
        .iter()
        .filter(|m| m.in_kvm_headers && integers.contains(m.name.as_str()))
        .collect();
    // Where the constants of each C name are: those named as the macro itself where there are any (an enum
    // `kvm_device_type` at the root and a macro of one of its enumerators' names in `evaluated` are two items),
    // else the enumerator constants standing for it.
    let mut modules_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let named_as_c: BTreeSet<&str> = constants
        .iter()
        .filter(|c| c.name == c.c_name)
        .map(|c| c.name.as_str())
        .collect();
    for constant in &constants {
        if constant.name != constant.c_name && named_as_c.contains(constant.c_name.as_str()) {
            continue;
        }
        modules_of
            .entry(constant.c_name.as_str())
            .or_default()
            .insert(constant.module.as_str());
    }
    let mut missing = Vec::new();
    let mut misplaced = Vec::new();
    let (mut requests, mut root_count, mut evaluated) = (0, 0, 0);
    for m in &kvm_integers {
        let expected = if m.is_request_code() {
            requests += 1;
            REQUEST_CODE_MODULE
        } else if at_root.contains(&m.name) {
            root_count += 1;
            "-"
        } else {
            evaluated += 1;
            EVALUATED_MODULE
        };
        match modules_of.get(m.name.as_str()) {
            None => missing.push(*m),
            Some(modules) if !modules.contains(expected) || modules.len() > 1 => {
                let found: Vec<&str> = modules
                    .iter()
                    .map(|module| if *module == "-" { "the root" } else { module })
                    .collect();
                let wanted = if expected == "-" { "the root" } else { expected };
                misplaced.push(format!(
                    "{} (in {}, expected in {wanted} only)",
                    m.name,
                    found.join(" and ")
                ));
            }
            Some(_) => {}
        }
    }

    // 3. Every Rust constant with an integer C counterpart equals it.
    let compared: Vec<&RustConstant> = constants
        .iter()
        .filter(|c| integers.contains(c.c_name.as_str()))
        .collect();
    let uncounterparted: Vec<String> = constants
        .iter()
        .filter(|c| !integers.contains(c.c_name.as_str()))
        .map(RustConstant::path)
        .collect();
    let assertions = compared
        .iter()
        .map(|c| {
            Ok(format!(
                "_Static_assert({}, \"{}: Rust {} {}\");",
                c_equal(&c.c_name, c.value, c.ty)?,
                c.path(),
                c.ty.rust_name(),
                c.value
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let differing = compiler.rejected("equal", &assertions)?;
    let same_numbers = compared
        .iter()
        .map(|c| {
            Ok(format!(
                "_Static_assert({}, \"{}\");",
                c_same_number(&c.c_name, c.value, c.ty)?,
                c.name
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let other_sign: Vec<usize> = compiler
        .rejected("sign", &same_numbers)?
        .into_iter()
        .filter(|i| !differing.contains(i))
        .collect();
    let by_macro = compared
        .iter()
        .filter(|c| macro_names.contains(c.c_name.as_str()))
        .count();

    // 4. Every const fn equals its function-like macro.
    let (call_failures, missing_macros) = check_calls(&compiler, &calls, &function_like)?;
    let functions: BTreeSet<(&str, &str)> = calls.iter().map(|c| (c.module.as_str(), c.function.as_str())).collect();

    // The report.
    let clean = missing.is_empty()
        && misplaced.is_empty()
        && differing.is_empty()
        && call_failures.is_empty()
        && missing_macros.is_empty();
    let mut report = String::new();
    if !missing.is_empty() {
        let values = compiler.values(&missing.iter().map(|m| m.name.clone()).collect::<Vec<_>>());
        let describe = |request: bool| -> Vec<String> {
            missing
                .iter()
                .zip(&values)
                .filter(|(m, _)| m.is_request_code() == request)
                .map(|(m, value)| match value.parse::<u64>() {
                    // Request codes read best in hex (direction, size, type, number).
                    Ok(code) if request => format!("{}={code:#x}", m.name),
                    _ => format!("{}={value}", m.name),
                })
                .collect()
        };
        let (request_codes, plain) = (describe(true), describe(false));
        writeln!(
            report,
            "{arch}: MISSING: {} of the {} integer macros of linux/kvm.h and asm/kvm.h {} no Rust constant:",
            missing.len(),
            kvm_integers.len(),
            if missing.len() == 1 { "has" } else { "have" }
        )
        .unwrap();
        if !plain.is_empty() {
            writeln!(
                report,
                "  {} (expected at the crate root, or in `{EVALUATED_MODULE}` if only clang evaluates it):",
                plural(plain.len(), "constant", "constants")
            )
            .unwrap();
            report.push_str(&wrapped(&plain));
        }
        if !request_codes.is_empty() {
            writeln!(
                report,
                "  {} (expected in `{REQUEST_CODE_MODULE}`):",
                plural(request_codes.len(), "request code", "request codes")
            )
            .unwrap();
            report.push_str(&wrapped(&request_codes));
        }
    }
    if !misplaced.is_empty() {
        writeln!(
            report,
            "{arch}: MISPLACED: {} not where {} belong:",
            plural(misplaced.len(), "constant is", "constants are"),
            if misplaced.len() == 1 { "it" } else { "they" }
        )
        .unwrap();
        report.push_str(&wrapped(&misplaced));
    }
    if !differing.is_empty() {
        let wrong: Vec<&RustConstant> = differing.iter().map(|&i| compared[i]).collect();
        let values = compiler.values(&wrong.iter().map(|c| c.c_name.clone()).collect::<Vec<_>>());
        writeln!(
            report,
            "{arch}: DIFFERENT: {} from gcc's value:",
            plural(wrong.len(), "Rust constant differs", "Rust constants differ")
        )
        .unwrap();
        for (c, value) in wrong.iter().zip(&values) {
            let c_name = if c.c_name == c.name {
                String::new()
            } else {
                format!(" (C: {})", c.c_name)
            };
            writeln!(
                report,
                "    {}{c_name}: Rust {} {}, gcc {value}",
                c.path(),
                c.ty.rust_name(),
                c.value
            )
            .unwrap();
        }
    }
    for (call, gcc_says) in &call_failures {
        writeln!(
            report,
            "{arch}: DIFFERENT: {}::{}({}) is {:#x} ({} {}); {gcc_says}",
            call.module,
            call.function,
            call.argument,
            call.result,
            call.result_type.rust_name(),
            call.result
        )
        .unwrap();
    }
    for name in &missing_macros {
        writeln!(
            report,
            "{arch}: MISSING: no function-like macro {name} in the installed headers"
        )
        .unwrap();
    }
    let missing_in = |module: &str| {
        missing
            .iter()
            .filter(|m| match module {
                REQUEST_CODE_MODULE => m.is_request_code(),
                "-" => !m.is_request_code() && at_root.contains(&m.name),
                _ => !m.is_request_code() && !at_root.contains(&m.name),
            })
            .count()
    };
    write!(
        report,
        "{arch}: {} of {} integer macros of linux/kvm.h and asm/kvm.h have a Rust constant ({} of {root_count} at the \
         root, {} of {evaluated} in `{EVALUATED_MODULE}`, {} of {requests} request codes in \
         `{REQUEST_CODE_MODULE}`); {} of the {} Rust constants with a C counterpart ({by_macro} macros, {} \
         enumerators) equal gcc's value",
        kvm_integers.len() - missing.len(),
        kvm_integers.len(),
        root_count - missing_in("-"),
        evaluated - missing_in(EVALUATED_MODULE),
        requests - missing_in(REQUEST_CODE_MODULE),
        compared.len() - differing.len(),
        compared.len(),
        compared.len() - by_macro,
    )
    .unwrap();
    if !functions.is_empty() {
        write!(
            report,
            "; {} of {} calls of {} equal their C macro's",
            calls.len() - call_failures.len(),
            calls.len(),
            functions
                .iter()
                .map(|(module, function)| format!("{module}::{function}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .unwrap();
    }
    writeln!(
        report,
        ", with {}: {}",
        [gcc].iter().chain(gcc_args).copied().collect::<Vec<_>>().join(" "),
        if clean { "all match" } else { "FAILED (above)" }
    )
    .unwrap();
    if !other_sign.is_empty() {
        let noted: Vec<&RustConstant> = other_sign.iter().map(|&i| compared[i]).collect();
        let values = compiler.values(&noted.iter().map(|c| c.c_name.clone()).collect::<Vec<_>>());
        let described: Vec<String> = noted
            .iter()
            .zip(&values)
            .map(|(c, value)| format!("{} ({} {}, gcc {value})", c.path(), c.ty.rust_name(), c.value))
            .collect();
        writeln!(
            report,
            "{arch}: note: {} the same bits as gcc's, read with the other sign:",
            plural(noted.len(), "constant has", "constants have")
        )
        .unwrap();
        report.push_str(&wrapped(&described));
    }
    if !uncounterparted.is_empty() {
        writeln!(
            report,
            "{arch}: note: {} no integer constant of that name in C:",
            plural(uncounterparted.len(), "Rust constant has", "Rust constants have")
        )
        .unwrap();
        report.push_str(&wrapped(&uncounterparted));
    }
    print!("{report}");
    Ok(clean)
}

/// Compiles every call's comparison with its C macro at `-O2`. Returns the calls that differ (with what gcc says of
/// them) and the C macros that do not exist.
#[allow(clippy::type_complexity)]
fn check_calls<'a>(
    compiler: &Compiler,
    calls: &'a [Call],
    function_like: &BTreeSet<String>,
) -> Result<(Vec<(&'a Call, String)>, Vec<String>), String> {
    let wanted: BTreeSet<String> = calls.iter().map(Call::c_macro).collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|name| !function_like.contains(*name))
        .cloned()
        .collect();
    let present: Vec<&Call> = calls
        .iter()
        .filter(|call| function_like.contains(&call.c_macro()))
        .collect();
    if present.is_empty() {
        return Ok((Vec::new(), missing));
    }
    // The mechanism must be able to fail: a false condition has to be rejected.
    let control = "extern void kvm_bindings_control(void) __attribute__((error(\"control\")));\n\
                   void kvm_bindings_check_control(void) { if (!(1 == 2)) kvm_bindings_control(); }\n";
    if compiler
        .compile("control.c", control, &["-S", "-O2", "-o", "/dev/null"])?
        .success
    {
        return Err(format!(
            "{} accepts a call to a function declared with __attribute__((error)): it cannot check the const fns",
            compiler.gcc
        ));
    }
    let mut source = String::from("#include <linux/kvm.h>\n\nvoid kvm_bindings_check_calls(void)\n{\n");
    for (i, call) in present.iter().enumerate() {
        let expression = call.c_expression()?;
        writeln!(
            source,
            "  {{\n    extern void kvm_bindings_call_{i}(void) __attribute__((error(\"differs\")));\n    \
             if (!{}) kvm_bindings_call_{i}();\n  }}",
            c_equal(&expression, call.result, call.result_type)?
        )
        .unwrap();
    }
    source.push_str("}\n");
    let verdict = compiler.compile("calls.c", &source, &["-S", "-O2", "-o", "/dev/null"])?;
    let mut failed = Vec::new();
    if !verdict.success {
        let named: BTreeSet<usize> = verdict
            .stderr
            .lines()
            .filter(|line| line.contains("declared with attribute error"))
            .filter_map(|line| line.split("'kvm_bindings_call_").nth(1))
            .filter_map(|rest| rest.split('\'').next()?.parse().ok())
            .collect();
        if named.is_empty() {
            return Err(format!(
                "{}: gcc cannot compile the const fn checks:\n{}",
                compiler.arch, verdict.stderr
            ));
        }
        let expressions: Vec<String> = named
            .iter()
            .map(|&i| present[i].c_expression())
            .collect::<Result<_, _>>()?;
        for (&i, expression) in named.iter().zip(&expressions) {
            failed.push((present[i], format!("gcc's {expression} is not that")));
        }
    }
    Ok((failed, missing))
}

#[cfg(test)]
mod tests {
    use super::*;

    const U32: IntegerType = IntegerType { size: 4, signed: false };
    const I64: IntegerType = IntegerType { size: 8, signed: true };

    #[test]
    fn literals_are_exact_at_the_edges() {
        assert_eq!(c_literal(16, U32).unwrap(), "((unsigned int)16ULL)");
        assert_eq!(
            c_literal(i128::from(i64::MIN), I64).unwrap(),
            "((long long)(-9223372036854775807LL - 1))"
        );
        assert_eq!(c_literal(-1, I64).unwrap(), "((long long)(-0LL - 1))");
        assert!(c_literal(i128::from(u64::MAX) + 1, I64).is_err());
    }

    #[test]
    fn macros_are_attributed_to_their_defining_file() {
        let headers = Path::new("/h/include");
        let preprocessed = "# 1 \"/h/include/linux/kvm.h\" 1\n#define __LINUX_KVM_H \n\
                            # 1 \"/h/include/linux/ioctl.h\" 1\n#define _IOC_NRBITS 8\n#define _IO(type,nr) x\n\
                            # 12 \"/h/include/linux/kvm.h\" 2\n#define KVM_GET_REGS _IOR(KVMIO, 0x81, struct kvm_regs)\n\
                            #define KVM_API_VERSION 12\n#define GONE 1\n#undef GONE\n";
        let (macros, function_like) = parse_macros(preprocessed, headers);
        let found: Vec<(&str, bool, bool)> = macros
            .iter()
            .map(|m| (m.name.as_str(), m.in_kvm_headers, m.is_request_code()))
            .collect();
        assert_eq!(
            found,
            [
                ("__LINUX_KVM_H", true, false),
                ("_IOC_NRBITS", false, false),
                ("KVM_GET_REGS", true, true),
                ("KVM_API_VERSION", true, false),
            ]
        );
        assert!(function_like.contains("_IO"));
    }

    #[test]
    fn request_codes_are_recognised_by_the_macro_they_call() {
        let with = |body: &str| Macro {
            name: "X".into(),
            body: body.into(),
            in_kvm_headers: true,
        };
        assert!(with("_IO(KVMIO, 0x01)").is_request_code());
        assert!(with("_IOWR (KVMIO, 0x01, struct x)").is_request_code());
        assert!(!with("KVM_IOC_X").is_request_code());
        assert!(!with("__IOR(1)").is_request_code());
        assert!(!with("_IOC_NRBITS").is_request_code());
    }
}
