//! `gen_history`: writes a synthetic history into a local results directory
//! (see `system_tests::history_gen`), for demos and the page benchmark.
//!
//! ```text
//! gen_history --dir DIR [--days 90] [--checks 50] [--nodes 3] [--interval 60]
//!             [--raw-hours 1] [--seed 1]
//! ```

use system_tests::history_gen::{Spec, generate};

fn parse_args() -> Result<Spec, String> {
    let mut args = Spec::new(std::path::Path::new(""));
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<i64>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--dir" => args.dir = std::path::PathBuf::from(&value),
            "--days" => args.days = number()?,
            "--checks" => args.checks = number()? as usize,
            "--nodes" => args.nodes = number()? as usize,
            "--interval" => args.interval = number()?,
            "--raw-hours" => args.raw_hours = number()?,
            "--seed" => args.seed = number()? as u64,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.dir.as_os_str().is_empty() {
        return Err("--dir is required".into());
    }
    if args.interval < 1 || args.days < 1 || args.checks < 1 || args.nodes < 1 {
        return Err("--days, --checks, --nodes and --interval must be at least 1".into());
    }
    Ok(args)
}

fn main() {
    match parse_args() {
        Ok(spec) => generate(&spec),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
