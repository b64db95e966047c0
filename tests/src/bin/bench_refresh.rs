//! What one page refresh moves per node: the node's latest object (the
//! tail of its history view, see `model/src/contract/view_tail.rs`) as
//! the checker stores it on S3 (gzip), against the whole view that every
//! refresh downloaded before. Views come from the history generator (the
//! checker's own arithmetic); prints a Markdown table.
//!
//! ```text
//! bench_refresh [--checks 50,200,500] [--days 2]
//! ```

use std::io::Write;

use checkup_model::NodeView;
use flate2::Compression;
use flate2::write::GzEncoder;
use system_tests::history_gen::{Spec, build};
use system_tests::latest_of_view;

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn main() {
    let mut checks = vec![50, 200, 500];
    let mut days = 2;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().expect("a value after each flag");
        match flag.as_str() {
            "--checks" => checks = value.split(',').map(|v| v.parse().unwrap()).collect(),
            "--days" => days = value.parse().unwrap(),
            other => panic!("unknown flag {other}"),
        }
    }
    println!(
        "| checks | latest object per node (gzip) | its JSON | whole view per node (gzip, {days} d) |"
    );
    println!("|---|---|---|---|");
    for &count in &checks {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = Spec::new(dir.path());
        spec.checks = count;
        spec.nodes = 1;
        spec.days = days;
        spec.interval = 60;
        spec.raw_hours = 0;
        let history = build(&spec);
        let (_, bytes) = &history.views[0];
        let view = NodeView::parse(std::str::from_utf8(bytes).unwrap()).unwrap();
        let latest = latest_of_view(&view, "0123456789abcdef");
        let latest_json = serde_json::to_vec(&latest).unwrap();
        println!(
            "| {count} | {:.1} KB | {:.1} KB | {:.1} KB |",
            gzip(&latest_json) as f64 / 1000.0,
            latest_json.len() as f64 / 1000.0,
            gzip(bytes) as f64 / 1000.0,
        );
    }
}
