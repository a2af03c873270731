//! Looking at runs through the built binary: `darts-host show` draws the cells of DARTS_V2 as
//! SVG and DOT, search and training write `report.html` by default, and the report of the
//! committed digits run renders in headless Chromium without errors.
//!
//! The Chromium test needs the `chromium` binary; `scripts/test.sh` installs Debian's package
//! when it is missing. Without it the test fails and says so, rather than passing unseen.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use darts_tests::{plugin_path, run_host};

/// The committed digits run of the README: a search and the training of its genotype.
fn digits_run() -> (PathBuf, PathBuf) {
    let run = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/digits/run");
    (run.join("search"), run.join("train"))
}

/// Asserts that `output` is a success and returns its stdout.
fn success(output: &Output, what: &str) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// The text of every `<text>` element under `node`, joined.
fn text_of(node: roxmltree::Node) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// Whether `node` is an element whose class list holds `class`.
fn has_class(node: &roxmltree::Node, class: &str) -> bool {
    node.attribute("class").is_some_and(|list| list.split_whitespace().any(|c| c == class))
}

/// How many times each primitive labels an edge of a cell of DARTS_V2, as `genotypes.py`
/// lists it.
fn v2_labels(cell: &str) -> BTreeMap<String, usize> {
    let counts: &[(&str, usize)] = match cell {
        "normal" => &[("sep_conv_3x3", 5), ("skip_connect", 2), ("dil_conv_3x3", 1)],
        _ => &[("max_pool_3x3", 5), ("skip_connect", 3)],
    };
    counts.iter().map(|(name, count)| (name.to_string(), *count)).collect()
}

#[test]
fn show_draws_both_cells_of_darts_v2_as_svg() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("v2.svg");
    success(&run_host(&["-q", "show", "DARTS_V2", "--svg", svg_path.to_str().unwrap()]), "show");

    let text = fs::read_to_string(&svg_path).unwrap();
    let document = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    let cells: Vec<roxmltree::Node> =
        document.descendants().filter(|n| has_class(n, "darts-cell")).collect();
    assert_eq!(cells.len(), 2, "a normal and a reduction cell");

    for (cell, kind) in cells.iter().zip(["normal", "reduction"]) {
        let title = cell.children().find(|n| n.has_tag_name("title")).map(text_of);
        assert_eq!(title.as_deref(), Some(format!("{kind} cell").as_str()));

        // The states: two inputs, four intermediate nodes, the output.
        let mut names: Vec<String> =
            cell.descendants().filter(|n| has_class(n, "node")).map(text_of).collect();
        names.sort();
        assert_eq!(names, ["0", "1", "2", "3", "c_{k-1}", "c_{k-2}", "c_{k}"], "{kind} cell");

        // One labelled edge per kept edge, one unlabelled edge per concatenated node.
        let edges: Vec<roxmltree::Node> =
            cell.descendants().filter(|n| has_class(n, "edge")).collect();
        let concat = edges.iter().filter(|n| has_class(n, "concat")).count();
        assert_eq!(concat, 4, "{kind} cell concatenates nodes 0 to 3");
        let mut labels = BTreeMap::new();
        for edge in edges.iter().filter(|n| !has_class(n, "concat")) {
            let label = edge
                .children()
                .filter(|n| n.has_tag_name("text"))
                .map(text_of)
                .next()
                .expect("a kept edge has a label");
            *labels.entry(label).or_insert(0) += 1;
        }
        let cell_name = if kind == "normal" { "normal" } else { "reduce" };
        assert_eq!(labels, v2_labels(cell_name), "{kind} cell");
    }
}

#[test]
fn show_writes_dot_with_one_arrow_per_edge_and_prints_it_without_flags() {
    let dir = tempfile::tempdir().unwrap();
    let dot_path = dir.path().join("v2.dot");
    success(&run_host(&["-q", "show", "DARTS_V2", "--dot", dot_path.to_str().unwrap()]), "show");
    let dot = fs::read_to_string(&dot_path).unwrap();
    assert!(dot.starts_with("digraph "), "{dot}");
    assert_eq!(dot.matches("subgraph cluster_").count(), 2, "{dot}");
    // Per cell: 8 kept edges, labelled, and 4 edges into the output.
    let arrows: Vec<&str> = dot.lines().filter(|line| line.contains(" -> ")).collect();
    assert_eq!(arrows.len(), 2 * (8 + 4), "{dot}");
    assert_eq!(arrows.iter().filter(|line| line.contains("label=")).count(), 16, "{dot}");
    for (name, count) in v2_labels("normal") {
        let label = format!("[label=\"{name}\"]");
        let found = arrows.iter().filter(|l| l.contains("normal_") && l.contains(&label)).count();
        assert_eq!(found, count, "{name} in the normal cell:\n{dot}");
    }

    let printed = success(&run_host(&["-q", "show", "DARTS_V2"]), "show to stdout");
    assert_eq!(printed, dot);
}

#[test]
fn show_refuses_a_bad_genotype_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    fs::write(&bad, "{\"normal\": {\"edges\": [], \"concat\": []}}").unwrap();
    let never = dir.path().join("never.svg");
    let output = run_host(&["show", bad.to_str().unwrap(), "--svg", never.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.json"), "names the file: {stderr}");
    assert!(!never.exists(), "nothing is written for a bad genotype");

    let output = run_host(&["show", "NO_SUCH_GENOTYPE"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DARTS_V2"), "lists the published names: {stderr}");
}

#[test]
fn report_refuses_a_folder_that_is_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_host(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a run folder"), "{stderr}");
}

/// Asserts that `html` fetches nothing: no address on the web, no `src`, and every link and
/// `url(...)` a fragment of the page itself.
fn assert_self_contained(html: &str, what: &str) {
    assert!(!html.contains("http://") && !html.contains("https://"), "{what} names a web address");
    assert!(!html.contains(" src="), "{what} loads a resource");
    for (at, _) in html.match_indices("href=\"") {
        assert!(html[at + 6..].starts_with('#'), "{what} links out: {}", &html[at..at + 60]);
    }
    for (at, _) in html.match_indices("url(") {
        assert!(html[at + 4..].starts_with('#'), "{what} fetches: {}", &html[at..at + 60]);
    }
}

/// How many `<figure>` elements of `class` the HTML holds.
fn figures(html: &str, class: &str) -> usize {
    html.matches(&format!("<figure class=\"{class}\"")).count()
}

#[test]
fn search_and_train_write_a_report_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = plugin_path("conv2d");
    let plugin = plugin.to_str().unwrap();
    let search = dir.path().join("search");
    let tiny = ["--epochs", "2", "--cells", "2", "--channels", "4", "--nodes", "2"];
    let mut args = vec!["-q", "--plugin", plugin, "search", "--out", search.to_str().unwrap()];
    args.extend(tiny);
    success(&run_host(&args), "search");

    let html = fs::read_to_string(search.join("report.html")).expect("search wrote report.html");
    assert_self_contained(&html, "the search's report");
    // The final genotype's two cells, and the best epoch's when its genotype differs.
    let genotypes = if html.contains("whose genotype differs") { 2 } else { 1 };
    assert_eq!(figures(&html, "cell-diagram"), 2 * genotypes);
    assert!(figures(&html, "chart") >= 2, "losses and accuracy");
    // Per cell: the mean weights, the grid of edges and the last epoch's table.
    assert_eq!(figures(&html, "alphas"), 6);

    let genotype = search.join("genotype.json");
    let model = dir.path().join("model");
    let flags = ["--epochs", "1", "--cells", "3", "--channels", "4"];
    let mut args = vec!["-q", "--plugin", plugin, "train", "--genotype"];
    args.extend([genotype.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    args.extend(flags);
    success(&run_host(&args), "train");
    let html = fs::read_to_string(model.join("report.html")).expect("train wrote report.html");
    assert_self_contained(&html, "the training's report");
    assert_eq!(figures(&html, "cell-diagram"), 2, "the genotype trained");
    assert!(figures(&html, "chart") >= 2);
    assert!(html.contains("test metrics"));

    let quiet = dir.path().join("model-no-report");
    let mut args = vec!["-q", "--plugin", plugin, "train", "--genotype"];
    args.extend([genotype.to_str().unwrap(), "--out", quiet.to_str().unwrap(), "--no-report"]);
    args.extend(flags);
    success(&run_host(&args), "train --no-report");
    assert!(quiet.join("metrics.json").is_file());
    assert!(!quiet.join("report.html").exists(), "--no-report writes no report");
}

/// The Chromium binary, or a failure saying how to install it.
fn chromium() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed, so the report cannot be rendered: run scripts/test.sh, \
             which installs Debian's chromium package (or apt-get install chromium)"
        )
    })
}

/// Runs headless Chromium on `page` with `flags`, in a profile of its own under `profile`,
/// killing it after two minutes; returns stdout and stderr, which go through files beside
/// the profile so that a large DOM cannot fill a pipe nobody reads while waiting.
fn run_chromium(page: &Path, flags: &[String], profile: &Path) -> (String, String) {
    let stdout_path = profile.with_extension("stdout");
    let stderr_path = profile.with_extension("stderr");
    let mut child = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"])
        .args(["--force-device-scale-factor=1", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(flags)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium can be waited for") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish rendering {} in two minutes", page.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let read = |path: &Path| String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
    let (stdout, stderr) = (read(&stdout_path), read(&stderr_path));
    assert!(status.success(), "chromium failed on {}:\n{stderr}", page.display());
    (stdout, stderr)
}

/// The width and height of a PNG file, from its header; panics when it is no PNG.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "a PNG is longer than its header");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "the PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "the PNG header chunk");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn the_digits_report_renders_in_chromium_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("digits-report.html");
    let (search, train) = digits_run();
    let printed = success(
        &run_host(&[
            "report",
            search.to_str().unwrap(),
            train.to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ]),
        "report",
    );
    assert_eq!(printed.trim(), page.display().to_string());
    let html = fs::read_to_string(&page).unwrap();
    assert_self_contained(&html, "the digits report");

    // The rendered DOM, from a copy of the page that writes the laid-out height into it.
    let measured = dir.path().join("measure.html");
    let script = "<script>document.body.setAttribute('data-height', \
                  document.documentElement.scrollHeight)</script></body>";
    fs::write(&measured, html.replace("</body>", script)).unwrap();
    let profile = dir.path().join("profile");
    let (dom, _) = run_chromium(&measured, &["--dump-dom".to_owned()], &profile);
    for heading in [
        "Search: the genotype found",
        "Search: learning curves",
        "Search: architecture weights",
        "Training: learning curves",
        "Training: test metrics",
    ] {
        assert!(dom.contains(&format!("{heading}</h2>")), "the rendered page lacks {heading:?}");
    }
    // The final and the best genotype's cells; search and training losses and accuracy; per
    // cell the mean weights, the grid of edges and the last epoch's table.
    assert_eq!(figures(&dom, "cell-diagram"), 4);
    assert_eq!(figures(&dom, "chart"), 4);
    assert_eq!(figures(&dom, "alphas"), 6);
    assert!(dom.matches("<svg").count() >= 14, "every figure is an inline SVG");
    let height: u32 = dom
        .split("data-height=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|value| value.parse().ok())
        .expect("the page reported its height, so it was laid out");
    assert!(height > 3000, "the laid-out page is only {height} px high");

    // The screenshot of the page itself, its whole height; the log must show no console
    // message (an error of the page, or a resource it failed to load).
    let png = dir.path().join("digits-report.png");
    let flags = [format!("--screenshot={}", png.display()), format!("--window-size=1280,{height}")];
    let (_, log) = run_chromium(&page, &flags, &profile);
    let console: Vec<&str> =
        log.lines().filter(|line| line.contains(":CONSOLE") || line.contains("net::ERR")).collect();
    assert!(console.is_empty(), "the page logged errors:\n{}", console.join("\n"));
    let bytes = fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.len() > 20_000, "the screenshot is only {} bytes", bytes.len());
    assert_eq!(png_size(&bytes), (1280, height));
}
