//! [`serde_tests!`](crate::serde_tests): the serde tests of one arch crate from its list of types.

/// Generates, for each type, the tests `round_trip::TYPE`, `short_input::TYPE`, `long_input::TYPE` and
/// `malformed_input::TYPE` (see [`checks`](crate::checks)), and the test `covers_the_serde_list`, which fails
/// unless the types named here are exactly those of the crate's serde list. `byte_order` is the arch's snapshot
/// byte order: on a host of the other order the checks expect converted bytes, or the error of a type that cannot
/// convert.
///
/// ```text
/// use kvm_bindings_x86_64::*;
/// test_support::serde_tests! {
///     serde_list: include_str!("../src/serialize.rs"),
///     byte_order: kvm_bindings_x86_64::byte_order::SNAPSHOT_BYTE_ORDER,
///     types: [kvm_regs, kvm_sregs, #[cfg(feature = "fam-wrappers")] kvm_xsave2],
/// }
/// ```
#[macro_export]
macro_rules! serde_tests {
    (serde_list: $source:expr, byte_order: $order:expr, types: [$($(#[$attr:meta])* $ty:ident),* $(,)?] $(,)?) => {
        $crate::serde_tests!(@check round_trip, $order, [$($(#[$attr])* $ty),*]);
        $crate::serde_tests!(@check short_input, $order, [$($(#[$attr])* $ty),*]);
        $crate::serde_tests!(@check long_input, $order, [$($(#[$attr])* $ty),*]);
        $crate::serde_tests!(@check malformed_input, $order, [$($(#[$attr])* $ty),*]);

        #[test]
        fn covers_the_serde_list() {
            $crate::serde_list::assert_covers_serde_list($source, &[$(stringify!($ty)),*]);
        }
    };
    (@check $check:ident, $order:expr, [$($(#[$attr:meta])* $ty:ident),*]) => {
        mod $check {
            use super::*;
            $(
                $(#[$attr])*
                #[test]
                #[allow(non_snake_case)]
                fn $ty() {
                    $crate::checks::$check::<$ty>($order);
                }
            )*
        }
    };
}
