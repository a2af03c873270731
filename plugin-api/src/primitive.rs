//! What a primitive is on both sides of the boundary: its description, the spec it is built
//! from, and the object the host calls.

use abi_stable::std_types::{RString, RVec};
use abi_stable::StableAbi;

use crate::object::PrimitiveBox;
use crate::tensor::RTensor;

/// The tensor layout a primitive reads and writes.
///
/// ABI: a `u8`. Adding a variant is a breaking change of the plugin API (a host would not
/// know how to probe it), so it goes with a new minor version while the API is 0.x.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Tabular data: `[batch, features]`.
    Flat,
    /// Sequences and text: `[batch, channels, length]`.
    Sequence,
    /// Images: `[batch, channels, height, width]`.
    Image,
}

impl Layout {
    /// The lower-case name used in messages, configs and listings.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Flat => "flat",
            Layout::Sequence => "sequence",
            Layout::Image => "image",
        }
    }

    /// The number of spatial axes after `[batch, channels]`.
    pub fn spatial_dims(self) -> usize {
        match self {
            Layout::Flat => 0,
            Layout::Sequence => 1,
            Layout::Image => 2,
        }
    }
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The floating-point precision of a primitive's parameters and of the tensors it sees.
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// 32-bit floats, used for search and training.
    #[default]
    Single,
    /// 64-bit floats, used by gradient checks.
    Double,
}

impl Precision {
    /// The tch kind of this precision.
    pub fn kind(self) -> tch::Kind {
        match self {
            Precision::Single => tch::Kind::Float,
            Precision::Double => tch::Kind::Double,
        }
    }
}

/// Everything a plugin needs to build one instance of a primitive.
///
/// A primitive maps `channels` to `channels`: the cell around it never changes width on an
/// edge. With `stride == 2` every spatial axis is halved (rounding up); the flat layout has
/// no spatial axis and is only ever built with stride 1.
///
/// ABI: `#[repr(C)]` and passed by value; adding a field is a breaking change of the plugin
/// API.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq)]
pub struct PrimitiveSpec {
    /// Input and output channels (features, for the flat layout).
    pub channels: i64,
    /// 1, or 2 for a reducing edge.
    pub stride: i64,
    /// Whether BatchNorm layers learn a scale and a shift. The search builds its supernet
    /// with `false`, as in the DARTS paper; the final network uses `true`.
    pub affine: bool,
    /// Where parameters are created: -1 for the CPU, `n >= 0` for CUDA device `n`.
    pub device: i32,
    /// The precision of the parameters.
    pub precision: Precision,
}

impl PrimitiveSpec {
    /// A spec for `channels` at stride 1, search-style (non-affine), single precision, CPU.
    pub fn new(channels: i64) -> Self {
        PrimitiveSpec {
            channels,
            stride: 1,
            affine: false,
            device: -1,
            precision: Precision::Single,
        }
    }

    /// The same spec with another stride.
    pub fn with_stride(self, stride: i64) -> Self {
        PrimitiveSpec { stride, ..self }
    }

    /// The same spec with the BatchNorm affine switch set.
    pub fn with_affine(self, affine: bool) -> Self {
        PrimitiveSpec { affine, ..self }
    }

    /// The same spec placed on another device.
    pub fn with_device(self, device: tch::Device) -> Self {
        let device = match device {
            tch::Device::Cuda(index) => index as i32,
            _ => -1,
        };
        PrimitiveSpec { device, ..self }
    }

    /// The same spec with another precision.
    pub fn with_precision(self, precision: Precision) -> Self {
        PrimitiveSpec { precision, ..self }
    }

    /// The tch device that `device` stands for.
    pub fn tch_device(&self) -> tch::Device {
        if self.device >= 0 {
            tch::Device::Cuda(self.device as usize)
        } else {
            tch::Device::Cpu
        }
    }
}

/// The description of one primitive a plugin offers.
///
/// ABI: `#[repr(C)]`; adding a field is a breaking change of the plugin API.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PrimitiveInfo {
    /// The name within its plugin, such as `sep_conv_3x3`.
    pub name: RString,
    /// The layout it reads and writes.
    pub layout: Layout,
    /// Whether it can be built with stride 2, as on the input edges of a reduction cell.
    pub supports_stride2: bool,
    /// Whether a search that names no primitives includes it. Primitives kept for
    /// published genotypes rather than for searching (such as `conv2d:sep_conv_7x7`) say
    /// no.
    pub in_default_space: bool,
    /// One line saying what it computes.
    pub description: RString,
}

/// A named tensor that a primitive created and hands over to the host.
///
/// ABI: `#[repr(C)]`; adding a field is a breaking change of the plugin API.
#[repr(C)]
#[derive(StableAbi, Debug)]
pub struct NamedTensor {
    /// The name relative to the primitive, with `.` between levels (`op.1.weight`).
    pub name: RString,
    /// The tensor itself, sharing storage with the one the primitive computes with.
    pub tensor: RTensor,
    /// `true` for a parameter the optimizer trains, `false` for a buffer such as a
    /// BatchNorm running mean.
    pub trainable: bool,
}

/// One built primitive: the object to call and the tensors the host takes ownership of.
///
/// ABI: `#[repr(C)]`; adding a field is a breaking change of the plugin API.
#[repr(C)]
#[derive(StableAbi)]
pub struct BuiltPrimitive {
    /// The callable primitive.
    pub object: PrimitiveBox,
    /// Its parameters and buffers. The host adopts them into its own variable store, so
    /// its optimizers, checkpoints and device moves act on the storage the primitive uses.
    pub variables: RVec<NamedTensor>,
}
