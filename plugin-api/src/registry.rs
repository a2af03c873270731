//! The plugin side: primitives registered with [`primitive!`](crate::primitive) and the
//! calls the root module forwards to.
//!
//! Everything here runs inside the plugin library. It turns every failure, panics included,
//! into an error message before it reaches the boundary: a `extern "C"` function that
//! unwinds would abort the host.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RResult, RStr, RString, RVec};
use tch::nn::{self, ModuleT};
use tch::Tensor;

use crate::object::{PrimitiveBox, PrimitiveObj, PrimitiveObj_TO};
use crate::primitive::{BuiltPrimitive, Layout, NamedTensor, PrimitiveInfo, PrimitiveSpec};
use crate::tensor::RTensor;

/// The error a primitive's build function may return.
pub type BuildError = Box<dyn std::error::Error + Send + Sync>;

/// What a primitive's build function returns: the module to run, or why it cannot be built.
pub type BuildResult = Result<Box<dyn ModuleT>, BuildError>;

/// A primitive's build function: creates its variables under the given path and returns
/// the module. Ordinary tch code: `nn::conv2d(path / "op" / 1, ...)` and so on.
pub type BuildFn = fn(&nn::Path, &PrimitiveSpec) -> BuildResult;

/// One registered primitive, as the [`primitive!`](crate::primitive) macro submits it.
#[derive(Debug)]
pub struct Registration {
    /// The name within the plugin.
    pub name: &'static str,
    /// The layout it reads and writes.
    pub layout: Layout,
    /// Whether it can be built with stride 2.
    pub supports_stride2: bool,
    /// Whether a search that names no primitives includes it.
    pub in_default_space: bool,
    /// One line saying what it computes.
    pub description: &'static str,
    /// How to build it.
    pub build: BuildFn,
}

inventory::collect!(Registration);

/// Every primitive registered in this library, in a stable order (by name).
///
/// Within one plugin, inventory's order is the link order, which is not something a user
/// should see change between builds; sorting by name makes listings reproducible.
pub fn registrations() -> Vec<&'static Registration> {
    let mut all: Vec<_> = inventory::iter::<Registration>.into_iter().collect();
    all.sort_by_key(|registration| registration.name);
    all
}

/// The descriptions of every registered primitive, for the root module's `primitives`.
pub fn list() -> RVec<PrimitiveInfo> {
    registrations()
        .into_iter()
        .map(|registration| PrimitiveInfo {
            name: registration.name.into(),
            layout: registration.layout,
            supports_stride2: registration.supports_stride2,
            in_default_space: registration.in_default_space,
            description: registration.description.into(),
        })
        .collect()
}

/// Builds the named primitive, for the root module's `build`; never unwinds.
pub fn build(name: RStr<'_>, spec: PrimitiveSpec) -> RResult<BuiltPrimitive, RString> {
    install_panic_hook();
    let name = name.as_str();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| build_inner(name, spec)));
    match outcome {
        Ok(Ok(built)) => RResult::ROk(built),
        Ok(Err(message)) => RResult::RErr(message.into()),
        Err(payload) => {
            RResult::RErr(format!("panicked while being built: {}", panic_message(payload)).into())
        }
    }
}

fn build_inner(name: &str, spec: PrimitiveSpec) -> Result<BuiltPrimitive, String> {
    let registration = registrations()
        .into_iter()
        .find(|registration| registration.name == name)
        .ok_or_else(|| "this plugin has no primitive of that name".to_owned())?;
    if spec.stride != 1 && !(spec.stride == 2 && registration.supports_stride2) {
        return Err(format!("cannot be built with stride {}", spec.stride));
    }
    if spec.channels < 1 {
        return Err(format!("cannot be built with {} channels", spec.channels));
    }

    let mut store = nn::VarStore::new(spec.tch_device());
    let module = (registration.build)(&store.root(), &spec).map_err(|err| err.to_string())?;
    store.set_kind(spec.precision.kind());

    let mut variables: Vec<(String, Tensor)> = store.variables().into_iter().collect();
    variables.sort_by(|a, b| a.0.cmp(&b.0));
    let variables = variables
        .into_iter()
        .map(|(name, tensor)| {
            // tch creates parameters with `requires_grad` and buffers without.
            let trainable = tensor.requires_grad();
            NamedTensor { name: name.into(), tensor: RTensor::new(tensor), trainable }
        })
        .collect();

    let object: PrimitiveBox = PrimitiveObj_TO::from_value(Adapter { module }, TD_Opaque);
    Ok(BuiltPrimitive { object, variables })
}

/// Runs a tch module behind the [`PrimitiveObj`] interface, catching its panics.
struct Adapter {
    module: Box<dyn ModuleT>,
}

impl PrimitiveObj for Adapter {
    fn forward(&self, input: RTensor, train: bool) -> RResult<RTensor, RString> {
        let input = input.into_tensor();
        let outcome =
            panic::catch_unwind(AssertUnwindSafe(|| self.module.forward_t(&input, train)));
        match outcome {
            Ok(output) => RResult::ROk(RTensor::new(output)),
            Err(payload) => {
                RResult::RErr(format!("panicked in forward: {}", panic_message(payload)).into())
            }
        }
    }
}

thread_local! {
    /// Where the last panic on this thread happened, recorded by the hook.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces this library's panic hook (each library has its own copy of the standard
/// library, so the host's hook is untouched) with one that records where the panic
/// happened instead of printing it: the host reports the panic as one error line.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_LOCATION.with(|slot| *slot.borrow_mut() = location);
        }));
    });
}

/// The message of a caught panic, with the place it happened when the hook saw it.
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let text = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    };
    // libtorch errors arrive as multi-line text with a C++ backtrace; the first line says
    // what went wrong.
    let first_line = text.lines().next().unwrap_or_default().trim().to_owned();
    match PANIC_LOCATION.with(|slot| slot.borrow_mut().take()) {
        Some(location) => format!("{first_line} (at {location})"),
        None => first_line,
    }
}
