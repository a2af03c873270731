//! Cutout augmentation: a random square of each image set to zero.

use tch::{Kind, Tensor};

/// Zeroes one `length` x `length` square per image of `xs` (`[batch, channels, height,
/// width]`), centred at a uniformly drawn pixel and clipped at the borders, as in DeVries
/// and Taylor (2017) and the DARTS evaluation. Draws from libtorch's generator.
pub fn cutout(xs: &Tensor, length: i64) -> Tensor {
    let size = xs.size();
    if length <= 0 || size.len() != 4 {
        return xs.shallow_clone();
    }
    let (batch, height, width) = (size[0], size[2], size[3]);
    let device = xs.device();
    let centre_y = Tensor::randint(height, [batch, 1, 1], (Kind::Int64, device));
    let centre_x = Tensor::randint(width, [batch, 1, 1], (Kind::Int64, device));
    let rows = Tensor::arange(height, (Kind::Int64, device)).view([1, height, 1]);
    let columns = Tensor::arange(width, (Kind::Int64, device)).view([1, 1, width]);
    let half = length / 2;
    let inside = |offset: Tensor| offset.abs().le(half).logical_and(&offset.lt(length - half));
    let hole = inside(&rows - &centre_y).logical_and(&inside(&columns - &centre_x)).unsqueeze(1);
    xs.masked_fill(&hole, 0.0)
}

#[cfg(test)]
mod tests {
    use super::cutout;
    use tch::{Device, Kind, Tensor};

    #[test]
    fn zeroes_one_square_per_image_and_nothing_else() {
        tch::manual_seed(3);
        let xs = Tensor::ones([4, 2, 16, 16], (Kind::Float, Device::Cpu));
        let out = cutout(&xs, 6);
        for image in 0..4 {
            let zeros = out.get(image).get(0).eq(0.0).sum(Kind::Int64).int64_value(&[]);
            // A full 6x6 square holds 36 pixels; at a border it is clipped.
            assert!(zeros > 0 && zeros <= 36, "image {image}: {zeros} zeros");
            let same = out.get(image).get(1).eq(0.0).sum(Kind::Int64).int64_value(&[]);
            assert_eq!(zeros, same, "every channel loses the same square");
        }
        assert_eq!(cutout(&xs, 0).sum(Kind::Float).double_value(&[]), 4.0 * 2.0 * 256.0);
    }
}
