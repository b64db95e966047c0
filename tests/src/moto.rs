//! moto's server (an S3 and IAM emulator from PyPI) on loopback, with IAM
//! policies enforced: the first three calls bootstrap an admin, and every
//! call after that is checked against the caller's policies.

use std::process::Command;

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};

use crate::garage::Key;
use crate::process::{ChildGuard, free_port};

pub const REGION: &str = "us-east-1";
/// create_user + put_user_policy + create_access_key for the admin.
const BOOTSTRAP_CALLS: &str = "3";

pub struct Moto {
    pub port: u16,
    /// Allowed to do anything: what an operator runs `provision` with.
    pub admin: Key,
    _process: ChildGuard,
}

impl Moto {
    pub async fn start() -> Moto {
        let (port, process) = spawn(Some(BOOTSTRAP_CALLS));
        let endpoint = format!("http://127.0.0.1:{port}");
        let iam = iam_client(
            &endpoint,
            &Key {
                id: "bootstrap".into(),
                secret: "bootstrap".into(),
            },
        );
        iam.create_user()
            .user_name("admin")
            .send()
            .await
            .expect("bootstrap: create admin");
        let everything = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        iam.put_user_policy()
            .user_name("admin")
            .policy_name("everything")
            .policy_document(everything)
            .send()
            .await
            .expect("bootstrap: admin policy");
        let key = iam
            .create_access_key()
            .user_name("admin")
            .send()
            .await
            .expect("bootstrap: admin key");
        let key = key.access_key().expect("key");
        let admin = Key {
            id: key.access_key_id().into(),
            secret: key.secret_access_key().into(),
        };
        Moto {
            port,
            admin,
            _process: process,
        }
    }

    /// moto without IAM enforcement: anyone may read and write, like a
    /// public bucket (and it answers with `Access-Control-Allow-Origin: *`).
    pub fn start_open() -> Moto {
        let (port, process) = spawn(None);
        let anyone = Key {
            id: "anyone".into(),
            secret: "anyone".into(),
        };
        Moto {
            port,
            admin: anyone,
            _process: process,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn s3(&self, key: &Key) -> aws_sdk_s3::Client {
        crate::garage::s3_client(&self.endpoint(), REGION, key)
    }
}

/// Starts moto's server on a free port; with `bootstrap_calls`, IAM is
/// enforced after that many unauthenticated calls.
fn spawn(bootstrap_calls: Option<&str>) -> (u16, ChildGuard) {
    let port = free_port();
    let mut command = Command::new("python3");
    command.args([
        "-m",
        "moto.server",
        "-H",
        "127.0.0.1",
        "-p",
        &port.to_string(),
    ]);
    if let Some(n) = bootstrap_calls {
        command.env("INITIAL_NO_AUTH_ACTION_COUNT", n);
    }
    let mut process =
        ChildGuard::spawn_logged("moto server (pip install 'moto[server]')", &mut command);
    process.wait_for_port(port);
    (port, process)
}

pub fn iam_client(endpoint: &str, key: &Key) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(&key.id, &key.secret, None, None, "test"))
        .build();
    aws_sdk_iam::Client::from_conf(config)
}
