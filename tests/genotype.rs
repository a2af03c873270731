//! Genotypes: derivation from architecture weights by the authors' rule, validation, the
//! JSON form, and the authors' text form with the published DARTS genotypes.

use darts_host::genotype::{
    bare_name, derive_cell, published, supernet_edges, CellGenotype, CellKind, Edge, Genotype,
    GenotypeError, Problem,
};

/// The DARTS paper's primitives, in the order of the authors' `PRIMITIVES` list.
const PRIMITIVES: [&str; 8] = [
    "none",
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|name| name.to_string()).collect()
}

fn cell(edges: &[(&str, usize)], concat: &[usize]) -> CellGenotype {
    CellGenotype {
        edges: edges.iter().map(|&(primitive, input)| Edge::new(primitive, input)).collect(),
        concat: concat.to_vec(),
    }
}

/// The canonical text of a published genotype: its `NAME = ` assignment taken off.
fn canonical(text: &str) -> &str {
    text.split_once(" = ").map(|(_, rest)| rest).expect("the published text assigns a name")
}

/// The place and message of a text error; fails the test on any other outcome.
fn text_error(text: &str) -> (usize, usize, String) {
    match Genotype::from_text(text) {
        Err(GenotypeError::Text { line, column, message, .. }) => (line, column, message),
        other => panic!("expected a text error for {text:?}, got {other:?}"),
    }
}

// Derivation.

#[test]
fn derivation_passes_over_a_none_that_is_strongest_and_lists_edges_strongest_first() {
    let primitives = names(&["conv2d:none", "max_pool_3x3", "skip_connect", "sep_conv_3x3"]);
    let weights = vec![
        // Node 0: `none` leads on input 0, yet the edge is kept with its best real primitive;
        // input 1 is the stronger edge, so it comes first.
        vec![0.70, 0.10, 0.15, 0.05],
        vec![0.10, 0.40, 0.30, 0.20],
        // Node 1: input 0 is all `none` and is dropped although 0.91 is the largest weight.
        vec![0.91, 0.03, 0.03, 0.03],
        vec![0.10, 0.20, 0.60, 0.10],
        vec![0.40, 0.10, 0.10, 0.40],
    ];

    let derived = derive_cell(&weights, &primitives, 2, 2).unwrap();

    let expected = cell(
        &[("max_pool_3x3", 1), ("skip_connect", 0), ("skip_connect", 1), ("sep_conv_3x3", 2)],
        &[2, 3],
    );
    assert_eq!(derived, expected);
}

#[test]
fn edge_ties_go_to_the_lower_input() {
    let primitives = names(&["none", "skip_connect", "sep_conv_3x3"]);
    let weights = vec![
        // Node 0: two equal edges keep input order.
        vec![0.2, 0.3, 0.5],
        vec![0.2, 0.3, 0.5],
        // Node 1: input 1 leads; inputs 0 and 2 tie for second and the lower one wins.
        vec![0.2, 0.3, 0.5],
        vec![0.1, 0.2, 0.7],
        vec![0.2, 0.5, 0.3],
    ];

    let derived = derive_cell(&weights, &primitives, 2, 2).unwrap();

    let edges =
        [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0)];
    assert_eq!(derived, cell(&edges, &[2, 3]));
}

#[test]
fn primitive_ties_go_to_the_lower_primitive_index() {
    let primitives = names(&["none", "avg_pool_3x3", "max_pool_3x3", "skip_connect"]);
    let weights = vec![
        // Equal `avg_pool` and `max_pool`, and an equal `none` in front that must not win.
        vec![0.3, 0.3, 0.3, 0.1],
        // Equal `max_pool` and `skip_connect`, `max_pool` listed first.
        vec![0.0, 0.2, 0.4, 0.4],
    ];

    let derived = derive_cell(&weights, &primitives, 1, 1).unwrap();

    assert_eq!(derived, cell(&[("max_pool_3x3", 1), ("avg_pool_3x3", 0)], &[2]));
}

#[test]
fn concat_is_the_last_multiplier_nodes() {
    let primitives = names(&["none", "skip_connect"]);
    let weights = vec![vec![0.5, 0.5]; supernet_edges(4)];
    assert_eq!(supernet_edges(4), 14);

    let concat = |multiplier| derive_cell(&weights, &primitives, 4, multiplier).unwrap().concat;

    assert_eq!(concat(1), vec![5]);
    assert_eq!(concat(2), vec![4, 5]);
    assert_eq!(concat(4), vec![2, 3, 4, 5]);
}

/// Weights of a 4-node cell under which `target`'s edges are the strongest, each with the
/// first of a node's two edges stronger than the second, and `none` strong on every edge the
/// target leaves out.
fn weights_favouring(target: &CellGenotype) -> Vec<Vec<f64>> {
    let mut weights = Vec::new();
    for (node, kept) in target.node_edges().enumerate() {
        for input in 0..node + 2 {
            let mut row = vec![0.02; PRIMITIVES.len()];
            match kept.iter().position(|edge| edge.input == input) {
                Some(rank) => {
                    let chosen = PRIMITIVES.iter().position(|p| *p == kept[rank].primitive);
                    row[chosen.expect("a DARTS primitive")] = 0.8 - 0.1 * rank as f64;
                }
                None => row[0] = 0.9,
            }
            weights.push(row);
        }
    }
    weights
}

#[test]
fn derivation_recovers_the_darts_v2_cells_from_weights_that_favour_them() {
    let darts = published::darts_v2();
    let primitives = names(&PRIMITIVES);
    let reduce = darts.reduce.clone().expect("DARTS_V2 has a reduction cell");

    let normal = derive_cell(&weights_favouring(&darts.normal), &primitives, 4, 4).unwrap();
    let derived_reduce = derive_cell(&weights_favouring(&reduce), &primitives, 4, 4).unwrap();

    let derived = Genotype { normal, reduce: Some(derived_reduce) };
    assert_eq!(derived, darts);
    assert_eq!(derived.validate(), Ok(()));
}

#[test]
fn derivation_refuses_weights_of_the_wrong_shape_and_only_none() {
    let primitives = names(&["none", "skip_connect"]);
    assert_eq!(
        derive_cell(&vec![vec![0.5, 0.5]; 13], &primitives, 4, 4),
        Err(GenotypeError::WeightRows { nodes: 4, expected: 14, found: 13 })
    );
    assert!(matches!(
        derive_cell(&vec![vec![1.0]; 2], &names(&["linear:none"]), 1, 1),
        Err(GenotypeError::OnlyNone { .. })
    ));
}

// Validation.

#[test]
fn validation_reports_every_problem_of_both_cells_at_once() {
    let genotype = Genotype {
        normal: cell(
            &[("sep_conv_3x3", 0), ("", 1), ("skip_connect", 3), ("sep_conv_3x3", 2), ("x", 0)],
            &[2, 3, 3, 7, 0],
        ),
        reduce: Some(cell(&[], &[])),
    };

    let error = genotype.validate().unwrap_err();

    use CellKind::{Normal, Reduce};
    let expected = vec![
        Problem::OddEdges { cell: Normal, count: 5 },
        Problem::EmptyPrimitive { cell: Normal, edge: 1 },
        Problem::InputNotEarlier { cell: Normal, edge: 2, state: 3, input: 3 },
        Problem::ConcatRepeated { cell: Normal, position: 2, index: 3 },
        Problem::ConcatOutOfRange { cell: Normal, position: 3, index: 7, last: 3 },
        Problem::ConcatOutOfRange { cell: Normal, position: 4, index: 0, last: 3 },
        Problem::NoEdges { cell: Reduce },
        Problem::EmptyConcat { cell: Reduce },
    ];
    assert_eq!(error, GenotypeError::Invalid { problems: expected });
    let message = error.to_string();
    assert!(message.contains("8 problems"), "{message}");
    assert!(message.contains("(8) reduce cell: the concat list is empty"), "{message}");
}

#[test]
fn a_readable_but_invalid_text_gives_the_validation_problems() {
    let text = "Genotype(normal=[('a', 0), ('b', 2)], normal_concat=[2])";
    let expected = Problem::InputNotEarlier { cell: CellKind::Normal, edge: 1, state: 2, input: 2 };
    assert_eq!(Genotype::from_text(text), Err(GenotypeError::Invalid { problems: vec![expected] }));
}

// The text form.

#[test]
fn published_genotypes_hold_the_authors_edges() {
    let v1 = published::darts_v1();
    let v2 = published::darts_v2();

    assert_eq!(v1.normal.nodes(), 4);
    assert_eq!(v1.normal.edges[7], Edge::new("skip_connect", 2));
    assert_eq!(v1.reduce.as_ref().unwrap().edges[7], Edge::new("avg_pool_3x3", 0));
    assert_eq!(v2.normal.edges[7], Edge::new("dil_conv_3x3", 2));
    assert_eq!(v2.reduce.as_ref().unwrap().edges[3], Edge::new("max_pool_3x3", 1));
    for genotype in [&v1, &v2] {
        assert_eq!(genotype.normal.concat, vec![2, 3, 4, 5]);
        assert_eq!(genotype.reduce.as_ref().unwrap().concat, vec![2, 3, 4, 5]);
    }
    assert_ne!(v1, v2);
}

#[test]
fn published_genotypes_round_trip_through_the_text_form() {
    for (text, genotype) in [
        (published::DARTS_V1_TEXT, published::darts_v1()),
        (published::DARTS_V2_TEXT, published::darts_v2()),
    ] {
        let printed = genotype.to_text();

        assert_eq!(printed, canonical(text));
        assert_eq!(genotype.to_string(), printed);
        assert_eq!(Genotype::from_text(&printed), Ok(genotype));
    }
}

#[test]
fn range_concat_reads_as_the_list() {
    let text = canonical(published::DARTS_V2_TEXT)
        .replace("normal_concat=[2, 3, 4, 5]", "normal_concat=range(2, 6)")
        .replace("reduce_concat=[2, 3, 4, 5]", "reduce_concat=range(2,6,)");

    assert_eq!(Genotype::from_text(&text), Ok(published::darts_v2()));

    let one_argument = "Genotype(normal=[('a', 0), ('b', 1)], normal_concat=range(3))";
    let expected =
        Problem::ConcatOutOfRange { cell: CellKind::Normal, position: 0, index: 0, last: 2 };
    assert!(matches!(
        Genotype::from_text(one_argument),
        Err(GenotypeError::Invalid { problems }) if problems.first() == Some(&expected)
    ));
}

#[test]
fn assignment_double_quotes_lists_for_tuples_and_free_layout_read_the_same() {
    let text = r#"
        # the DARTS_V2 cells, written by hand
        MY_CELLS = Genotype(
            reduce_concat = [2, 3, 4, 5],
            normal=[
                ["sep_conv_3x3", 0], ("sep_conv_3x3", 1),
                ('sep_conv_3x3', 0), ("sep_conv_3x3",1,),
                ("sep_conv_3x3", 1), ("skip_connect", 0),
                ("skip_connect", 0), ("dil_conv_3x3", 2),
            ],
            reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2),
                      ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2),
                      ('skip_connect', 2), ('max_pool_3x3', 1)],  # strongest first
            normal_concat=(2, 3, 4, 5),
        )
    "#;

    assert_eq!(Genotype::from_text(text), Ok(published::darts_v2()));
}

#[test]
fn a_genotype_without_a_reduction_cell_prints_and_reads_without_it() {
    let flat = Genotype {
        normal: cell(&[("linear:linear_block", 0), ("linear:skip_connect", 1)], &[2]),
        reduce: None,
    };

    let text = flat.to_text();

    assert_eq!(
        text,
        "Genotype(normal=[('linear:linear_block', 0), ('linear:skip_connect', 1)], \
         normal_concat=[2])"
    );
    assert_eq!(Genotype::from_text(&text), Ok(flat));
}

#[test]
fn qualified_names_print_as_stored_and_map_primitives_strips_them() {
    let qualified = published::darts_v1().map_primitives(|name| format!("conv2d:{name}"));
    assert!(qualified.to_text().starts_with("Genotype(normal=[('conv2d:sep_conv_3x3', 1), "));
    assert_eq!(Genotype::from_text(&qualified.to_text()), Ok(qualified.clone()));

    let bare = qualified.map_primitives(|name| bare_name(name).to_owned());
    assert_eq!(bare, published::darts_v1());
}

#[test]
fn names_with_quotes_backslashes_and_other_scripts_round_trip() {
    for name in ["it's", "say \"hi\"", "both ' and \"", "back\\slash", "tab\there", "größe_✓"] {
        let genotype = Genotype { normal: cell(&[(name, 0), ("b", 1)], &[2]), reduce: None };
        let text = genotype.to_text();
        assert_eq!(Genotype::from_text(&text), Ok(genotype), "{name:?} printed as {text}");
    }

    let text = Genotype { normal: cell(&[("it's", 0), ("b", 1)], &[2]), reduce: None }.to_text();
    assert!(text.contains(r#"("it's", 0)"#), "Python's repr uses double quotes here: {text}");
}

// The JSON form.

#[test]
fn json_round_trips_with_and_without_a_reduction_cell() {
    let qualified = published::darts_v2().map_primitives(|name| format!("conv2d:{name}"));
    let json = qualified.to_json();
    assert!(json.contains("\"primitive\": \"conv2d:dil_conv_3x3\""), "{json}");
    assert_eq!(Genotype::from_json(&json), Ok(qualified));

    let flat = Genotype { normal: cell(&[("a", 0), ("b", 1)], &[2]), reduce: None };
    let json = flat.to_json();
    assert!(!json.contains("reduce"), "{json}");
    assert_eq!(Genotype::from_json(&json), Ok(flat.clone()));

    let explicit_null = r#"{"normal": {"edges": [{"primitive": "a", "input": 0},
        {"primitive": "b", "input": 1}], "concat": [2]}, "reduce": null}"#;
    assert_eq!(Genotype::from_json(explicit_null), Ok(flat));
}

#[test]
fn json_refuses_unknown_keys_and_malformed_documents_with_their_place() {
    let unknown_in_edge =
        "{\"normal\": {\"edges\": [\n  {\"primitive\": \"a\", \"input\": 0, \"weight\": 1}\n]}}";
    match Genotype::from_json(unknown_in_edge) {
        Err(GenotypeError::Json { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("unknown field `weight`"), "{message}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }

    let truncated = "{\"normal\": {\"edges\": [";
    let error = Genotype::from_json(truncated).unwrap_err();
    assert!(matches!(error, GenotypeError::Json { line: 1, column: 22, .. }), "{error:?}");
    assert!(error.to_string().starts_with("genotype JSON, line 1, column 22: "), "{error}");

    let negative = r#"{"normal": {"edges": [{"primitive": "a", "input": -1}], "concat": [2]}}"#;
    assert!(matches!(Genotype::from_json(negative), Err(GenotypeError::Json { .. })));
}

#[test]
fn json_of_an_invalid_genotype_reports_its_problems() {
    let json = r#"{"normal": {"edges": [{"primitive": "a", "input": 5}], "concat": []}}"#;
    match Genotype::from_json(json) {
        Err(GenotypeError::Invalid { problems }) => assert_eq!(problems.len(), 3, "{problems:?}"),
        other => panic!("expected validation problems, got {other:?}"),
    }
}

// Malformed text.

#[test]
fn malformed_texts_give_errors_naming_the_place_and_what_was_expected() {
    let cases: &[(&str, usize, usize, &str)] = &[
        ("", 1, 1, "expected `Genotype(` or `NAME = Genotype(`, found the end of the text"),
        ("genotype(normal=[])", 1, 1, "found `genotype`"),
        ("X = Genome(normal=[])", 1, 5, "expected `Genotype`, found `Genome`"),
        (
            "Genotype(normal=[('a', 0), ('b', 1)",
            1,
            36,
            "expected `,` or `]` closing the list opened at 1:17, found the end of the text",
        ),
        (
            "Genotype(normal=[('a', 0), ('b', 1)], normal_concat=[2], reduction=[])",
            1,
            58,
            "unknown keyword `reduction`",
        ),
        ("Genotype(normal=[('a', 0), ('b', x)], normal_concat=[2])", 1, 34, "found `x`"),
        ("Genotype(normal=[('a', -1)], normal_concat=[2])", 1, 24, "input state"),
        ("Genotype(normal=[('a', 1.5)], normal_concat=[2])", 1, 25, "found '.'"),
        (
            "Genotype(normal=[('a', 0), ('b', 99999999999999999999999)], normal_concat=[2])",
            1,
            34,
            "is too large",
        ),
        (
            "Genotype(normal=[('a', 0), ('b', 1)), normal_concat=[2])",
            1,
            36,
            "`,` or `]` closing the list opened at 1:17, found ')'",
        ),
        ("Genotype(normal=[('a', 0], ('b', 1)])", 1, 25, "`)` closing the edge opened at 1:18"),
        ("Genotype(normal=[('a, 0)])", 1, 19, "never closed"),
        ("Genotype([('a', 0)], [2])", 1, 10, "expected a keyword"),
        ("Genotype()", 1, 10, "expected `normal=` and `normal_concat=` before the `)`"),
        (
            "Genotype(normal=[('a', 0), ('b', 1)])",
            1,
            10,
            "`normal` is given without `normal_concat`",
        ),
        ("Genotype(normal_concat=[2])", 1, 10, "`normal_concat` is given without `normal`"),
        (
            "Genotype(normal=[('a', 0), ('b', 1)], normal_concat=[2], reduce=[])",
            1,
            58,
            "`reduce` is given without `reduce_concat`",
        ),
        ("Genotype(normal=[], normal=[])", 1, 21, "`normal` is given twice"),
        ("Genotype(normal=[], normal_concat=[])) ", 1, 38, "the end of the text after"),
        ("Genotype(normal=[], normal_concat=rang(2, 6))", 1, 35, "found `rang`"),
        (
            "Genotype(normal=[('a', 0), ('b', 1)], normal_concat=range(2, 18446744073709551615))",
            1,
            53,
            "goes past the normal cell's last node, state 2",
        ),
        ("Genotype(normal=[('a\\x', 0)])", 1, 21, "unsupported escape"),
        ("Genotype(\n  normal=[\n    ('größe', 0) ('b', 1)", 3, 18, "found '('"),
    ];

    for &(text, line, column, needle) in cases {
        let (found_line, found_column, message) = text_error(text);
        assert!(message.contains(needle), "{text:?}: {message:?} lacks {needle:?}");
        assert_eq!((found_line, found_column), (line, column), "{text:?}: {message}");
    }
}

#[test]
fn every_truncation_of_a_published_text_is_an_error_not_a_panic() {
    let text = published::DARTS_V2_TEXT;
    for end in 0..text.len() {
        let prefix = &text[..end];
        assert!(Genotype::from_text(prefix).is_err(), "{prefix:?} was accepted");
    }
}

/// A small xorshift generator, so the mutations are the same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

#[test]
fn mutated_texts_never_panic_and_what_reads_round_trips() {
    let alphabet: Vec<char> = "()[],'\"=_#\\\n 0123456789ranges✓".chars().collect();
    let source: Vec<char> = published::DARTS_V1_TEXT.chars().collect();
    let mut random = Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut read = 0;

    for _ in 0..5000 {
        let mut text = source.clone();
        for _ in 0..1 + random.below(4) {
            let at = random.below(text.len());
            match random.below(3) {
                0 => text[at] = alphabet[random.below(alphabet.len())],
                1 => {
                    text.remove(at);
                }
                _ => text.insert(at, alphabet[random.below(alphabet.len())]),
            }
        }
        let text: String = text.into_iter().collect();

        if let Ok(genotype) = Genotype::from_text(&text) {
            assert_eq!(Genotype::from_text(&genotype.to_text()), Ok(genotype), "{text}");
            read += 1;
        }
    }

    // Some mutations only touch spaces or names, so a share of the texts still reads.
    assert!(read > 0, "no mutated text read at all");
}
