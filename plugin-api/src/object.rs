//! The object the host calls to run a built primitive.

// `#[sabi_trait]` generates trait impls inside a constant; newer compilers warn about that
// pattern, which is abi_stable's and harmless here.
#![allow(non_local_definitions)]

use abi_stable::sabi_trait;
use abi_stable::std_types::{RBox, RResult, RString};

use crate::tensor::RTensor;

/// The object the host calls to run one built primitive.
///
/// Implementations must not unwind: the one the plugin API provides catches panics and
/// returns them as errors.
#[sabi_trait]
pub trait PrimitiveObj {
    /// Runs the primitive on `input` (laid out as its [`Layout`](crate::Layout) says) and returns its
    /// output, or a one-line message saying why it failed.
    fn forward(&self, input: RTensor, train: bool) -> RResult<RTensor, RString>;
}

/// A type-erased primitive object, owned by the host.
pub type PrimitiveBox = PrimitiveObj_TO<'static, RBox<()>>;
