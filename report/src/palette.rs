//! Colours of primitives and of data series.
//!
//! A primitive's colour depends on its *family* only, the bare name without the plugin
//! qualifier and without the trailing kernel size (`conv2d:sep_conv_5x5` and `sep_conv_3x3`
//! are both `sep_conv`), so that the same family has the same colour in every drawing of a
//! report. The DARTS families have fixed colours; any other family is hashed onto the palette.

/// A categorical palette that reads on white, for lines and edges.
pub(crate) const PALETTE: [&str; 10] = [
    "#1f77b4", // blue
    "#d62728", // red
    "#2ca02c", // green
    "#9467bd", // purple
    "#e6700a", // orange
    "#8c564b", // brown
    "#d4479f", // pink
    "#1a9fb0", // teal
    "#8a8a2a", // olive
    "#5b5b5b", // dark grey
];

/// The families of the DARTS search spaces (vision, sequence and tabular), each with its own
/// colour from [`PALETTE`] so that no two of them share one.
const KNOWN: [(&str, &str); 11] = [
    ("sep_conv", PALETTE[0]),
    ("max_pool", PALETTE[4]),
    ("avg_pool", PALETTE[2]),
    ("dil_conv", PALETTE[3]),
    ("skip_connect", PALETTE[9]),
    ("none", "#b0b0b0"),
    ("conv", PALETTE[5]),
    ("convblock", PALETTE[5]),
    ("linear_block", PALETTE[0]),
    ("linear_drop", PALETTE[1]),
    ("encoder", PALETTE[7]),
];

/// The family of a primitive: its bare name (after the last `:`) without trailing kernel-size
/// parts such as `_3x3`, `_5` or `_7x1_1x7`.
pub(crate) fn family(primitive: &str) -> &str {
    let mut name = primitive.rsplit(':').next().unwrap_or(primitive);
    while let Some((head, tail)) = name.rsplit_once('_') {
        let kernel = !tail.is_empty()
            && tail.starts_with(|c: char| c.is_ascii_digit())
            && tail.chars().all(|c| c.is_ascii_digit() || c == 'x');
        if !kernel || head.is_empty() {
            break;
        }
        name = head;
    }
    name
}

/// The colour of `primitive`'s family, as a `#rrggbb` string: the same in every figure.
pub fn primitive_colour(primitive: &str) -> &'static str {
    let family = family(primitive);
    if let Some((_, colour)) = KNOWN.iter().find(|(known, _)| *known == family) {
        return colour;
    }
    // FNV-1a: a stable hash, so the same unknown family keeps its colour across runs and
    // builds (std's hasher is randomly seeded).
    let hash = family.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    PALETTE[(hash % PALETTE.len() as u64) as usize]
}

/// The colour of the `index`th data series: the palette in order, then round again.
pub(crate) fn series_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::{family, primitive_colour};

    #[test]
    fn family_drops_qualifier_and_kernel() {
        assert_eq!(family("conv2d:sep_conv_3x3"), "sep_conv");
        assert_eq!(family("sep_conv_5x5"), "sep_conv");
        assert_eq!(family("conv_7x1_1x7"), "conv");
        assert_eq!(family("max_pool_3"), "max_pool");
        assert_eq!(family("skip_connect"), "skip_connect");
        assert_eq!(family("linear_block"), "linear_block");
        assert_eq!(family("_3x3"), "_3x3");
    }

    #[test]
    fn darts_vision_families_have_distinct_colours() {
        let names = [
            "none",
            "max_pool_3x3",
            "avg_pool_3x3",
            "skip_connect",
            "sep_conv_3x3",
            "dil_conv_3x3",
            "conv_7x1_1x7",
        ];
        let mut colours: Vec<_> = names.iter().map(|n| primitive_colour(n)).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), names.len());
    }

    #[test]
    fn qualified_and_bare_names_share_a_colour() {
        assert_eq!(primitive_colour("conv2d:dil_conv_5x5"), primitive_colour("dil_conv_3x3"));
        assert_eq!(primitive_colour("my:brand_new_op"), primitive_colour("brand_new_op"));
    }
}
