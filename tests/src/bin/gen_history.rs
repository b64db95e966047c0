//! `gen_history`: writes a synthetic history (see `system_tests::history_gen`)
//! into a local results directory, or into an S3 bucket through the
//! checker's own storage code, for demos and the page benchmark.
//!
//! ```text
//! gen_history --dir DIR [--days 90] [--checks 50] [--nodes 3] [--interval 60]
//!             [--raw-hours 1] [--seed 1]
//! gen_history --bucket B [--endpoint URL] [--prefix checkup/] [--region us-east-1]
//!             [--path-style true|false] [options as above]
//! ```
//! For S3 the key comes from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
//! (or the standard AWS credential chain); it needs write access.

use checker::storage::{S3Settings, StorageConfig, StorageKind};
use system_tests::history_gen::{Spec, generate, generate_into};

struct Args {
    spec: Spec,
    s3: Option<S3Settings>,
}

fn parse_args() -> Result<Args, String> {
    let mut spec = Spec::new(std::path::Path::new(""));
    let mut s3 = S3Settings {
        bucket: String::new(),
        prefix: String::new(),
        region: "us-east-1".into(),
        endpoint: None,
        path_style: false,
        credentials: None,
    };
    let mut path_style = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<i64>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--dir" => spec.dir = std::path::PathBuf::from(&value),
            "--days" => spec.days = number()?,
            "--checks" => spec.checks = number()? as usize,
            "--nodes" => spec.nodes = number()? as usize,
            "--interval" => spec.interval = number()?,
            "--raw-hours" => spec.raw_hours = number()?,
            "--seed" => spec.seed = number()? as u64,
            "--bucket" => s3.bucket = value,
            "--endpoint" => s3.endpoint = Some(value),
            "--region" => s3.region = value,
            "--prefix" => {
                let prefix = value.trim_matches('/');
                s3.prefix = if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix}/")
                };
            }
            "--path-style" => {
                path_style = Some(
                    value
                        .parse::<bool>()
                        .map_err(|_| format!("--path-style: {value:?} is not true or false"))?,
                )
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if spec.interval < 1 || spec.days < 1 || spec.checks < 1 || spec.nodes < 1 {
        return Err("--days, --checks, --nodes and --interval must be at least 1".into());
    }
    let to_dir = !spec.dir.as_os_str().is_empty();
    let to_bucket = !s3.bucket.is_empty();
    match (to_dir, to_bucket) {
        (true, false) => Ok(Args { spec, s3: None }),
        (false, true) => {
            s3.path_style = path_style.unwrap_or(s3.endpoint.is_some());
            if let (Ok(id), Ok(secret)) = (
                std::env::var("AWS_ACCESS_KEY_ID"),
                std::env::var("AWS_SECRET_ACCESS_KEY"),
            ) {
                s3.credentials = Some((id, secret));
            }
            Ok(Args { spec, s3: Some(s3) })
        }
        (true, true) => Err("give --dir (local storage) or --bucket (S3), not both".into()),
        (false, false) => Err("give --dir (local storage) or --bucket (S3)".into()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let Some(s3) = args.s3 else {
        generate(&args.spec);
        return;
    };
    let config = StorageConfig {
        kind: StorageKind::S3(s3),
        check_expiry: None,
        interval: std::time::Duration::from_secs(60),
    };
    let written = match checker::storage::open(&config).await {
        Ok(storage) => generate_into(&args.spec, storage.as_ref()).await,
        Err(e) => Err(e),
    };
    match written {
        Ok(history) => eprintln!(
            "wrote {} round files and {} views to {}",
            history.rounds.len(),
            history.views.len(),
            config.describe()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
