//! `checker provision` against moto's S3 and IAM emulator with policies
//! enforced: the key it makes can list and read the bucket and nothing else,
//! and running it again changes nothing.

use std::fs;
use std::process::{Command, Output};

use checkup_model::{PageConfig, PageStorage};
use system_tests::garage::{Key, error_code, get_text};
use system_tests::moto::Moto;
use system_tests::process::checker_bin;

const ORIGIN: &str = "http://127.0.0.1:8123";

fn provision(
    config: &std::path::Path,
    moto: &Moto,
    page_config: &std::path::Path,
    extra: &[&str],
) -> Output {
    Command::new(checker_bin())
        .arg("--config")
        .arg(config)
        .args([
            "provision",
            "--reader-user",
            "page-reader",
            "--origin",
            ORIGIN,
            "--iam-endpoint",
            &moto.endpoint(),
        ])
        .arg("--page-config")
        .arg(page_config)
        .args(extra)
        .output()
        .unwrap()
}

fn page_key(path: &std::path::Path) -> Key {
    let config = PageConfig::parse(&fs::read_to_string(path).unwrap()).unwrap();
    match config.storage {
        PageStorage::S3 {
            access_key_id: Some(id),
            secret_access_key: Some(secret),
            ..
        } => Key { id, secret },
        other => panic!("page config has no key: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn provision_makes_a_read_only_key_and_is_idempotent() {
    let moto = Moto::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("checker.toml");
    fs::write(
        &config,
        format!(
            "node = \"n1\"\n[storage]\ntype = \"s3\"\nbucket = \"status\"\nprefix = \"ck\"\nregion = \"us-east-1\"\n\
             endpoint = \"{}\"\naccess_key_id = \"{}\"\nsecret_access_key = \"{}\"\n\
             [[checks]]\nname = \"web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n",
            moto.endpoint(),
            moto.admin.id,
            moto.admin.secret
        ),
    )
    .unwrap();
    let page_config = tmp.path().join("config.json");

    let first = provision(&config, &moto, &page_config, &[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("bucket: status created"), "{stdout}");
    assert!(
        stdout.contains("read-only user: page-reader created"),
        "{stdout}"
    );
    assert!(stdout.contains("access key: created"), "{stdout}");
    let reader = page_key(&page_config);
    assert!(
        stdout.contains(&format!("secret_access_key = {}", reader.secret)),
        "the secret is printed once: {stdout}"
    );
    let written = PageConfig::parse(&fs::read_to_string(&page_config).unwrap()).unwrap();
    let PageStorage::S3 {
        bucket,
        prefix,
        endpoint,
        ..
    } = &written.storage
    else {
        panic!()
    };
    assert_eq!(
        (bucket.as_str(), prefix.as_str(), endpoint.clone()),
        ("status", "ck/", Some(moto.endpoint()))
    );
    assert!(
        !fs::read_to_string(&page_config)
            .unwrap()
            .contains(&moto.admin.secret),
        "the admin secret leaked"
    );

    // What the key may do: list and get in this bucket.
    let admin = moto.s3(&moto.admin);
    admin
        .put_object()
        .bucket("status")
        .key("ck/1-n1-check.json")
        .body("[]".as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();
    admin.create_bucket().bucket("other").send().await.unwrap();
    admin
        .put_object()
        .bucket("other")
        .key("secret.txt")
        .body("no".as_bytes().to_vec().into())
        .send()
        .await
        .unwrap();
    let s3 = moto.s3(&reader);
    // moto miscomputes signatures of listings with a '/' in `prefix`, even the
    // admin's; it does not evaluate the policy's prefix condition either, so
    // a listing without `prefix` shows the same permission.
    let listed = s3
        .list_objects_v2()
        .bucket("status")
        .send()
        .await
        .expect("reader can list");
    assert_eq!(listed.contents().len(), 1);
    assert_eq!(get_text(&s3, "status", "ck/1-n1-check.json").await, "[]");
    // ... and nothing else.
    let put = s3
        .put_object()
        .bucket("status")
        .key("ck/2-n1-check.json")
        .body(Vec::new().into())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&put), "AccessDenied");
    let delete = s3
        .delete_object()
        .bucket("status")
        .key("ck/1-n1-check.json")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&delete), "AccessDenied");
    let other = s3
        .get_object()
        .bucket("other")
        .key("secret.txt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&other), "AccessDenied");
    let cors = admin
        .get_bucket_cors()
        .bucket("status")
        .send()
        .await
        .unwrap();
    assert_eq!(cors.cors_rules()[0].allowed_origins(), [ORIGIN]);
    assert_eq!(cors.cors_rules()[0].allowed_methods(), ["GET", "HEAD"]);

    // Again: everything is already right, so nothing changes.
    let before = fs::read_to_string(&page_config).unwrap();
    let second = provision(&config, &moto, &page_config, &[]);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&second.stderr)
    );
    for line in [
        "bucket: status exists",
        "CORS: already allows",
        "read-only user: page-reader exists",
        "policy: checkup-status-page-read-only already allows",
        "is kept",
        "is already right",
    ] {
        assert!(stdout.contains(line), "{line:?} not in:\n{stdout}");
    }
    assert!(
        !stdout.contains("secret_access_key"),
        "no secret printed the second time"
    );
    assert_eq!(fs::read_to_string(&page_config).unwrap(), before);

    // Without the page config the secret is unknown: say so, change nothing.
    fs::remove_file(&page_config).unwrap();
    let lost = provision(&config, &moto, &page_config, &[]);
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert!(!lost.status.success());
    assert!(
        stderr.contains(&format!("already has access key {}", reader.id))
            && stderr.contains("--rotate-key"),
        "{stderr}"
    );
    assert!(
        moto.s3(&reader)
            .list_objects_v2()
            .bucket("status")
            .send()
            .await
            .is_ok(),
        "the old key still works"
    );

    // --rotate-key replaces it: the new one works, the old one is gone.
    let rotated = provision(&config, &moto, &page_config, &["--rotate-key"]);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    let new_key = page_key(&page_config);
    assert_ne!(new_key.id, reader.id);
    assert!(
        moto.s3(&new_key)
            .list_objects_v2()
            .bucket("status")
            .send()
            .await
            .is_ok()
    );
    assert!(
        moto.s3(&reader)
            .list_objects_v2()
            .bucket("status")
            .send()
            .await
            .is_err(),
        "the old key still works"
    );
}

#[test]
fn provision_refuses_local_storage() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("checker.toml");
    fs::write(
        &config,
        "[[checks]]\nname = \"web\"\ntype = \"http\"\nurl = \"http://127.0.0.1:1/\"\n",
    )
    .unwrap();
    let out = Command::new(checker_bin())
        .arg("--config")
        .arg(&config)
        .arg("provision")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(
            "provision needs s3 storage in the config; this config uses a local directory"
        ),
        "{stderr}"
    );
}

/// The key after `heading` in provision's output.
fn printed_key(stdout: &str, heading: &str) -> Key {
    let after = &stdout[stdout
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} not in:\n{stdout}"))..];
    let value = |name: &str| {
        after
            .lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .map(|v| v.trim_start_matches([' ', '=']).trim().to_string())
            .unwrap_or_else(|| panic!("no {name} after {heading:?}"))
    };
    Key {
        id: value("access_key_id"),
        secret: value("secret_access_key"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ping_key_can_put_pings_and_nothing_else() {
    let moto = Moto::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let storage = |id: &str, secret: &str| {
        format!(
            "[storage]\ntype = \"s3\"\nbucket = \"status\"\nprefix = \"ck\"\nregion = \"us-east-1\"\n\
             endpoint = \"{}\"\naccess_key_id = \"{id}\"\nsecret_access_key = \"{secret}\"\n\
             [[checks]]\nname = \"Backup\"\ntype = \"heartbeat\"\nperiod = \"1d\"\n",
            moto.endpoint()
        )
    };
    let config = tmp.path().join("checker.toml");
    fs::write(
        &config,
        format!(
            "node = \"n1\"\n{}",
            storage(&moto.admin.id, &moto.admin.secret)
        ),
    )
    .unwrap();
    let page_config = tmp.path().join("config.json");
    let out = provision(&config, &moto, &page_config, &["--ping-key"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("ping user: checkup-pinger created"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "ping policy: checkup-pings-put-only set: s3:PutObject on status/ck/pings/* only"
        ),
        "{stdout}"
    );
    let pinger = printed_key(&stdout, "The ping key");
    let admin = moto.s3(&moto.admin);
    admin.create_bucket().bucket("other").send().await.unwrap();

    // A job host with only this key reports through checker ping.
    let job_config = tmp.path().join("job.toml");
    fs::write(
        &job_config,
        format!(
            "node = \"job-host\"\nstate_dir = \"{}\"\n{}",
            tmp.path().join("jobstate").display(),
            storage(&pinger.id, &pinger.secret)
        ),
    )
    .unwrap();
    let ping = Command::new(checker_bin())
        .arg("--config")
        .arg(&job_config)
        .args(["ping", "Backup", "--message", "nightly done"])
        .output()
        .unwrap();
    assert!(ping.status.success(), "{ping:?}");
    assert!(
        !String::from_utf8_lossy(&ping.stderr).contains("spooled"),
        "stored, not spooled: {ping:?}"
    );
    let listed = admin
        .list_objects_v2()
        .bucket("status")
        .send()
        .await
        .unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].starts_with("ck/pings/backup/"), "{keys:?}");
    // Stored gzipped, as the checker stores JSON on S3.
    let body = admin
        .get_object()
        .bucket("status")
        .key(keys[0])
        .send()
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text).unwrap();
    assert!(text.contains("\"nightly done\""), "{text}");

    // Nothing else: not another prefix, not read, not list, not delete,
    // not another bucket.
    let s3 = moto.s3(&pinger);
    let put = |bucket: &'static str, key: &'static str| {
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(b"{}".to_vec().into())
            .send()
    };
    assert!(put("status", "ck/pings/backup/2-h.json").await.is_ok());
    for (bucket, key) in [
        ("status", "ck/1-n1-check.json"),
        ("status", "ck/pings-elsewhere/x.json"),
        ("status", "pings/backup/3-h.json"),
        ("other", "ck/pings/backup/4-h.json"),
    ] {
        let e = put(bucket, key).await.unwrap_err();
        assert_eq!(error_code(&e), "AccessDenied", "put {bucket}/{key}");
    }
    let get = s3
        .get_object()
        .bucket("status")
        .key(keys[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&get), "AccessDenied");
    let list = s3
        .list_objects_v2()
        .bucket("status")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&list), "AccessDenied");
    let delete = s3
        .delete_object()
        .bucket("status")
        .key(keys[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(error_code(&delete), "AccessDenied");

    // Again: the key is kept, and its secret is not shown.
    let again = provision(&config, &moto, &page_config, &["--ping-key"]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{stdout}");
    assert!(
        stdout.contains("ping policy: checkup-pings-put-only already allows"),
        "{stdout}"
    );
    assert!(stdout.contains("ping key: exists and is kept"), "{stdout}");
    assert!(!stdout.contains(&pinger.secret));
}
