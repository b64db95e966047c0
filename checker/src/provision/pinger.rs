//! The ping key: an IAM user that may only write objects under
//! `<prefix>pings/`, so a job host reports heartbeats without holding the
//! checker's key (it cannot read, list, delete or write anything else).

use serde_json::json;

use super::{ProvisionError, step_error};
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
    let keys = iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| step_error(format!("cannot list access keys of {user}"), e))?;
    let ids: Vec<String> = keys
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id().map(str::to_string))
        .collect();
    if !ids.is_empty() && !rotate {
        return Ok(None);
    }
    for id in &ids {
        iam.delete_access_key()
            .user_name(user)
            .access_key_id(id)
            .send()
            .await
            .map_err(|e| step_error(format!("cannot delete old access key {id}"), e))?;
    }
    let created = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .map_err(|e| step_error(format!("cannot create an access key for {user}"), e))?;
    let key = created.access_key().ok_or_else(|| ProvisionError::Step {
        step: "create access key".into(),
        message: "IAM answered without a key".into(),
    })?;
    Ok(Some((
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    )))
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
