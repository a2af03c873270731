//! The two macros a plugin author uses: one per primitive, one per plugin.

/// Registers one primitive of this plugin.
///
/// ```ignore
/// darts_plugin_api::primitive! {
///     name: "sep_conv_3",
///     layout: Sequence,
///     stride2: true,
///     description: "two separable 1-D convolutions, kernel 3",
///     build: sep_conv_3,
/// }
/// ```
///
/// `build` names a function of type [`BuildFn`](crate::BuildFn). The name must be unique
/// within the plugin; the host refuses a plugin that registers one twice. An optional
/// `default_space: false` after `stride2` keeps the primitive out of searches that name no
/// primitives (it can still be named, and used by genotypes).
#[macro_export]
macro_rules! primitive {
    (
        name: $name:expr,
        layout: $layout:ident,
        stride2: $stride2:expr,
        description: $description:expr,
        build: $build:path $(,)?
    ) => {
        $crate::primitive! {
            name: $name,
            layout: $layout,
            stride2: $stride2,
            default_space: true,
            description: $description,
            build: $build,
        }
    };
    (
        name: $name:expr,
        layout: $layout:ident,
        stride2: $stride2:expr,
        default_space: $default_space:expr,
        description: $description:expr,
        build: $build:path $(,)?
    ) => {
        $crate::__private::inventory::submit! {
            $crate::Registration {
                name: $name,
                layout: $crate::Layout::$layout,
                supports_stride2: $stride2,
                in_default_space: $default_space,
                description: $description,
                build: $build,
            }
        }
    };
}

/// Exports this library as a darts plugin named `$name`: the version header and the root
/// module. Use it once, at the root of a `cdylib` crate.
///
/// ```ignore
/// darts_plugin_api::export_plugin!(name: "conv1d", version: env!("CARGO_PKG_VERSION"));
/// ```
#[macro_export]
macro_rules! export_plugin {
    (name: $name:expr, version: $version:expr $(,)?) => {
        $crate::export_plugin!(@with_header $crate::PluginHeader::current, $name, $version);
    };
    // Exports a plugin whose header comes from `$header` instead of the versions it was
    // compiled with. Only the host's tests need this, to impersonate a plugin built
    // against other versions.
    (@with_header $header:path, $name:expr, $version:expr) => {
        /// The version header the host reads before anything else.
        #[no_mangle]
        pub extern "C" fn darts_plugin_header() -> $crate::PluginHeader {
            $header()
        }

        const _: () = {
            use $crate::__private::abi_stable::library::{
                __call_root_module_loader, CheckTypeLayout, LibHeader, RootModuleResult,
            };
            use $crate::__private::abi_stable::prefix_type::PrefixTypeTrait;
            use $crate::__private::abi_stable::std_types::{RResult, RStr, RString};

            extern "C" fn build(
                name: RStr<'_>,
                spec: $crate::PrimitiveSpec,
            ) -> RResult<$crate::BuiltPrimitive, RString> {
                $crate::registry::build(name, spec)
            }

            extern "C" fn primitives(
            ) -> $crate::__private::abi_stable::std_types::RVec<$crate::PrimitiveInfo> {
                $crate::registry::list()
            }

            fn root_module() -> $crate::PluginModRef {
                $crate::PluginMod {
                    name: RStr::from_str($name),
                    version: RStr::from_str($version),
                    primitives,
                    build,
                }
                .leak_into_prefix()
            }

            extern "C" fn erased_root_module() -> RootModuleResult {
                __call_root_module_loader(root_module)
            }

            // What abi_stable's `#[export_root_module]` generates, spelled with paths
            // through this crate so that a plugin needs no direct abi_stable dependency.
            // The symbol name is checked against abi_stable's in this crate's tests.
            #[no_mangle]
            static _1as_0lib_1header_0root_bmodule_bloader: LibHeader = unsafe {
                // SAFETY: `erased_root_module` returns the prefix reference of a
                // `PluginModRef`, the module type named here, as `from_constructor`
                // requires.
                LibHeader::from_constructor::<$crate::PluginModRef>(
                    erased_root_module,
                    CheckTypeLayout::Yes,
                )
            };
        };
    };
}
