//! A real single-node Garage (S3-compatible store) on loopback, set up the way
//! an operator would: layout applied, a bucket, a read-write key for the
//! checker and a read-only key for the page.

use std::process::Command;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, RequestChecksumCalculation};

use crate::process::{ChildGuard, free_port};

pub const REGION: &str = "garage";

/// An access key pair.
#[derive(Debug, Clone)]
pub struct Key {
    pub id: String,
    pub secret: String,
}

pub struct Garage {
    pub s3_port: u16,
    rpc_port: u16,
    config: std::path::PathBuf,
    dir: tempfile::TempDir,
    process: Option<ChildGuard>,
}

impl Garage {
    pub fn start() -> Garage {
        let dir = tempfile::tempdir().expect("temp dir for garage");
        let (s3_port, rpc_port) = (free_port(), free_port());
        let secret: String = (0..32)
            .map(|i| format!("{:02x}", (i * 37 + s3_port as usize) % 256))
            .collect();
        let config = dir.path().join("garage.toml");
        std::fs::write(
            &config,
            format!(
                "metadata_dir = \"{d}/meta\"\ndata_dir = \"{d}/data\"\ndb_engine = \"sqlite\"\nreplication_factor = 1\n\
                 rpc_bind_addr = \"127.0.0.1:{rpc_port}\"\nrpc_public_addr = \"127.0.0.1:{rpc_port}\"\nrpc_secret = \"{secret}\"\n\n\
                 [s3_api]\ns3_region = \"{REGION}\"\napi_bind_addr = \"127.0.0.1:{s3_port}\"\nroot_domain = \".s3.garage.localhost\"\n",
                d = dir.path().display()
            ),
        )
        .unwrap();
        let mut garage = Garage {
            s3_port,
            rpc_port,
            config,
            dir,
            process: None,
        };
        garage.start_again();
        let status = garage.cli(&["status"]);
        let node_id = status
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .find(|w| w.len() == 16 && w.bytes().all(|b| b.is_ascii_hexdigit()))
            .unwrap_or_else(|| panic!("no node id in `garage status`:\n{status}"))
            .to_string();
        garage.cli(&["layout", "assign", "-z", "dc1", "-c", "1G", &node_id]);
        garage.cli(&["layout", "apply", "--version", "1"]);
        garage
    }

    /// Kills the server (as a crash or outage would); its data stays.
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts the server (again) on the same ports and data.
    pub fn start_again(&mut self) {
        let mut process = ChildGuard::spawn_logged_to(
            "garage",
            Command::new("garage")
                .arg("-c")
                .arg(&self.config)
                .arg("server"),
            &self.dir.path().join("garage.log"),
        );
        process.wait_for_port(self.rpc_port);
        process.wait_for_port(self.s3_port);
        self.process = Some(process);
    }

    /// Runs the garage CLI against this node; panics with its output on failure.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("garage")
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .output()
            .expect("run garage");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "garage {args:?} failed:\n{text}");
        text
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    pub fn create_bucket(&self, name: &str) {
        self.cli(&["bucket", "create", name]);
    }

    /// Creates a key with `--read`, `--write`, `--owner` flags on `bucket`.
    pub fn create_key(&self, name: &str, bucket: &str, permissions: &[&str]) -> Key {
        let out = self.cli(&["key", "create", name]);
        let field = |label: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(label).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| panic!("no {label} in `garage key create`:\n{out}"))
        };
        let key = Key {
            id: field("Key ID:"),
            secret: field("Secret key:"),
        };
        let mut args = vec!["bucket", "allow"];
        args.extend_from_slice(permissions);
        args.extend_from_slice(&[bucket, "--key", name]);
        self.cli(&args);
        key
    }

    /// An S3 client for this node with `key`.
    pub fn client(&self, key: &Key) -> aws_sdk_s3::Client {
        s3_client(&self.endpoint(), REGION, key)
    }

    pub fn checker_storage_toml(&self, bucket: &str, prefix: &str, key: &Key) -> String {
        format!(
            "[storage]\ntype = \"s3\"\nbucket = \"{bucket}\"\nprefix = \"{prefix}\"\nregion = \"{REGION}\"\n\
             endpoint = \"{}\"\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\n",
            self.endpoint(),
            key.id,
            key.secret
        )
    }
}

/// A path-style S3 client for a loopback endpoint.
pub fn s3_client(endpoint: &str, region: &str, key: &Key) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .credentials_provider(Credentials::new(&key.id, &key.secret, None, None, "test"))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The S3 error code of a failed call ("AccessDenied"), or what went wrong.
pub fn error_code<
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
>(
    err: &aws_sdk_s3::error::SdkError<E, R>,
) -> String {
    err.as_service_error()
        .and_then(|e| e.code().map(str::to_string))
        .unwrap_or_else(|| format!("{err:?}"))
}

/// Every key in `bucket`, following the listing's pages.
pub async fn list_keys(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        keys.extend(
            page.expect("list objects")
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string)),
        );
    }
    keys
}

/// Lets `origin` GET and HEAD `bucket` from a browser.
pub async fn allow_cors(client: &aws_sdk_s3::Client, bucket: &str, origin: &str) {
    let rule = aws_sdk_s3::types::CorsRule::builder()
        .allowed_origins(origin)
        .allowed_methods("GET")
        .allowed_methods("HEAD")
        .allowed_headers("*")
        .build()
        .unwrap();
    let config = aws_sdk_s3::types::CorsConfiguration::builder()
        .cors_rules(rule)
        .build()
        .unwrap();
    client
        .put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(config)
        .send()
        .await
        .expect("put bucket CORS");
}

/// Reads an object to a string.
pub async fn get_text(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> String {
    let out = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("get_object");
    String::from_utf8(out.body.collect().await.unwrap().into_bytes().to_vec()).unwrap()
}
