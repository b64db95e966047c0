//! The ping key: an IAM user that may only write objects under
//! `<prefix>pings/`, so a job host reports heartbeats without holding the
//! checker's key (it cannot read, list, delete or write anything else).

use serde_json::json;

use super::ProvisionError;
use crate::storage::S3Settings;

pub const POLICY_NAME: &str = "checkup-pings-put-only";

/// PutObject under `<prefix>pings/` in this bucket: nothing else.
pub fn policy_document(s3: &S3Settings) -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PutPings",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{}/{}{}*", s3.bucket, s3.prefix, crate::heartbeat::PINGS_DIR),
        }]
    })
}

/// A new key when the user has none (its secret is shown once), else the
/// existing one is kept; with `rotate`, replaced.
pub async fn ensure_key(
    iam: &aws_sdk_iam::Client,
    user: &str,
    rotate: bool,
) -> Result<Option<(String, String)>, ProvisionError> {
    let ids = super::reader::key_ids(iam, user).await?;
    if !ids.is_empty() && !rotate {
        return Ok(None);
    }
    super::reader::replace_keys(iam, user, &ids).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ping_policy_allows_putting_pings_only() {
        let s3 = S3Settings {
            bucket: "status".into(),
            prefix: "ck/".into(),
            region: "us-east-1".into(),
            endpoint: None,
            path_style: false,
            credentials: None,
        };
        let doc = policy_document(&s3);
        let statements = doc["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0]["Action"], "s3:PutObject");
        assert_eq!(statements[0]["Resource"], "arn:aws:s3:::status/ck/pings/*");
    }
}
