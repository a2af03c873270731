//! Three image primitives of our own, to search beside the `conv2d` plugin's:
//!
//! - `se_conv_3x3`: a 3x3 convolution whose channels a squeeze-and-excitation block
//!   re-weights from the image's global context (a SiLU bottleneck);
//! - `gated_conv_3x3`: a 3x3 convolution to twice the channels, one half gating the other
//!   through a sigmoid;
//! - `attention_mix`: self-attention across the positions of the image, each position a
//!   token of `channels` features.
//!
//! Each works at stride 2 (halving height and width) as a reduction cell needs, and
//! honours the BatchNorm affine switch.

use darts_plugin_api::tch::nn::{self, Module, ModuleT};
use darts_plugin_api::tch::{Kind, Tensor};
use darts_plugin_api::{export_plugin, primitive, BuildResult, PrimitiveSpec};

export_plugin!(name: "advanced", version: env!("CARGO_PKG_VERSION"));

/// A 3x3 convolution without bias at the spec's stride, padding 1.
fn conv_3x3(path: nn::Path, c_in: i64, c_out: i64, stride: i64) -> nn::Conv2D {
    let config = nn::ConvConfig { stride, padding: 1, bias: false, ..Default::default() };
    nn::conv2d(path, c_in, c_out, 3, config)
}

fn batch_norm(path: nn::Path, channels: i64, affine: bool) -> nn::BatchNorm {
    nn::batch_norm2d(path, channels, nn::BatchNormConfig { affine, ..Default::default() })
}

primitive! {
    name: "se_conv_3x3",
    layout: Image,
    stride2: true,
    description: "ReLU, 3x3 convolution, BatchNorm, squeeze-and-excitation (reduction 4, SiLU)",
    build: se_conv_3x3,
}

#[derive(Debug)]
struct SeConv {
    conv: nn::Conv2D,
    norm: nn::BatchNorm,
    squeeze: nn::Linear,
    excite: nn::Linear,
}

fn se_conv_3x3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let hidden = (c / 4).max(1);
    Ok(Box::new(SeConv {
        conv: conv_3x3(path / "conv", c, c, spec.stride),
        norm: batch_norm(path / "bn", c, spec.affine),
        squeeze: nn::linear(path / "squeeze", c, hidden, Default::default()),
        excite: nn::linear(path / "excite", hidden, c, Default::default()),
    }))
}

impl ModuleT for SeConv {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let features = self.norm.forward_t(&self.conv.forward(&xs.relu()), train);
        let context = features.mean_dim(&[2i64, 3][..], false, Kind::Float);
        // SiLU in the bottleneck, as EfficientNet's blocks have it: with only c/4 units, a
        // ReLU there can go dead for a whole batch and cut the excitation's gradient.
        let weights = self.excite.forward(&self.squeeze.forward(&context).silu()).sigmoid();
        features * weights.unsqueeze(-1).unsqueeze(-1)
    }
}

primitive! {
    name: "gated_conv_3x3",
    layout: Image,
    stride2: true,
    description: "3x3 convolution to 2c channels, one half gating the other, BatchNorm",
    build: gated_conv_3x3,
}

#[derive(Debug)]
struct GatedConv {
    conv: nn::Conv2D,
    norm: nn::BatchNorm,
}

fn gated_conv_3x3(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    Ok(Box::new(GatedConv {
        conv: conv_3x3(path / "conv", c, 2 * c, spec.stride),
        norm: batch_norm(path / "bn", c, spec.affine),
    }))
}

impl ModuleT for GatedConv {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let both = self.conv.forward(xs);
        let halves = both.chunk(2, 1);
        self.norm.forward_t(&(&halves[0] * halves[1].sigmoid()), train)
    }
}

primitive! {
    name: "attention_mix",
    layout: Image,
    stride2: true,
    description: "self-attention across positions (2x2 average pooling first at stride 2)",
    build: attention_mix,
}

#[derive(Debug)]
struct AttentionMix {
    stride: i64,
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    norm: nn::BatchNorm,
}

fn attention_mix(path: &nn::Path, spec: &PrimitiveSpec) -> BuildResult {
    let c = spec.channels;
    let no_bias = nn::LinearConfig { bias: false, ..Default::default() };
    Ok(Box::new(AttentionMix {
        stride: spec.stride,
        query: nn::linear(path / "query", c, c, no_bias),
        key: nn::linear(path / "key", c, c, no_bias),
        value: nn::linear(path / "value", c, c, no_bias),
        norm: batch_norm(path / "bn", c, spec.affine),
    }))
}

impl ModuleT for AttentionMix {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let xs = if self.stride == 2 {
            xs.avg_pool2d([2, 2], [2, 2], [0, 0], true, false, None)
        } else {
            xs.shallow_clone()
        };
        let (batch, channels, height, width) = xs.size4().expect("an image batch");
        // [batch, positions, channels]: one token per position.
        let tokens = xs.flatten(2, 3).transpose(1, 2);
        let scores = self.query.forward(&tokens).matmul(&self.key.forward(&tokens).transpose(1, 2));
        let attention = (scores / (channels as f64).sqrt()).softmax(-1, Kind::Float);
        let mixed = attention.matmul(&self.value.forward(&tokens));
        let mixed = mixed.transpose(1, 2).reshape([batch, channels, height, width]);
        self.norm.forward_t(&(mixed + xs), train)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn primitives_pass_the_plugin_checks() {
        darts_plugin_api::testing::assert_primitives_work(8);
    }
}
