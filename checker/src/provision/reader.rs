//! The read-only IAM user, its inline policy, and its access key.

use std::path::Path;

use serde_json::json;

use super::{ProvisionError, step_error};
use crate::storage::S3Settings;

/// The inline policy's name on the reader user.
pub const POLICY_NAME: &str = "checkup-status-page-read-only";

/// The reader's key: made now (secret known), or kept from before.
pub enum ReaderKey {
    Created { id: String, secret: String },
    Kept { id: String, secret: String },
}

impl ReaderKey {
    pub fn id_and_secret(&self) -> (&str, &str) {
        match self {
            ReaderKey::Created { id, secret } | ReaderKey::Kept { id, secret } => (id, secret),
        }
    }
}

pub async fn ensure_user(iam: &aws_sdk_iam::Client, user: &str) -> Result<String, ProvisionError> {
    match iam.get_user().user_name(user).send().await {
        Ok(_) => Ok(format!("{user} exists")),
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_no_such_entity_exception()) =>
        {
            iam.create_user()
                .user_name(user)
                .send()
                .await
                .map_err(|e| step_error(format!("cannot create user {user}"), e))?;
            Ok(format!("{user} created"))
        }
        Err(e) => Err(step_error(format!("cannot look up user {user}"), e)),
    }
}

/// List this bucket (under the prefix) and get its objects: nothing else.
pub fn policy_document(s3: &S3Settings) -> serde_json::Value {
    let mut list = json!({
        "Sid": "ListStatusResults",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": format!("arn:aws:s3:::{}", s3.bucket),
    });
    if !s3.prefix.is_empty() {
        list["Condition"] = json!({ "StringLike": { "s3:prefix": [format!("{}*", s3.prefix)] } });
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [
            list,
            {
                "Sid": "ReadStatusResults",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": format!("arn:aws:s3:::{}/{}*", s3.bucket, s3.prefix),
            }
        ]
    })
}

pub async fn ensure_policy(
    iam: &aws_sdk_iam::Client,
    user: &str,
    s3: &S3Settings,
) -> Result<String, ProvisionError> {
    let allows = format!("s3:ListBucket and s3:GetObject on {}", s3.bucket);
    ensure_inline_policy(iam, user, POLICY_NAME, policy_document(s3), &allows).await
}

/// Sets `name` on `user` to `want` unless it is already exactly that;
/// `allows` says what it allows, for the report.
pub async fn ensure_inline_policy(
    iam: &aws_sdk_iam::Client,
    user: &str,
    name: &str,
    want: serde_json::Value,
    allows: &str,
) -> Result<String, ProvisionError> {
    let current = iam
        .get_user_policy()
        .user_name(user)
        .policy_name(name)
        .send()
        .await
        .ok();
    // IAM returns the document URL-encoded.
    let current_doc = current
        .and_then(|c| percent_decode(c.policy_document()))
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    if current_doc.as_ref() == Some(&want) {
        return Ok(format!("{name} already allows only {allows}"));
    }
    iam.put_user_policy()
        .user_name(user)
        .policy_name(name)
        .policy_document(want.to_string())
        .send()
        .await
        .map_err(|e| step_error(format!("cannot set policy {name} on {user}"), e))?;
    Ok(format!("{name} set: {allows} only"))
}

/// Creates a key unless the user has one whose secret we know (from the page
/// config); with `rotate`, replaces whatever is there.
pub async fn ensure_key(
    iam: &aws_sdk_iam::Client,
    user: &str,
    known: Option<(String, String)>,
    rotate: bool,
    page_config: Option<&Path>,
) -> Result<ReaderKey, ProvisionError> {
    let ids = key_ids(iam, user).await?;
    if !rotate {
        if let Some((id, secret)) = known.filter(|(id, _)| ids.contains(id)) {
            return Ok(ReaderKey::Kept { id, secret });
        }
        if let Some(id) = ids.first() {
            return Err(ProvisionError::SecretUnknown {
                user: user.into(),
                key_id: id.clone(),
                page_config: page_config.map(Path::to_path_buf),
            });
        }
    }
    let (id, secret) = replace_keys(iam, user, &ids).await?;
    Ok(ReaderKey::Created { id, secret })
}

/// The ids of `user`'s access keys.
pub async fn key_ids(iam: &aws_sdk_iam::Client, user: &str) -> Result<Vec<String>, ProvisionError> {
    let keys = iam
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .map_err(|e| step_error(format!("cannot list access keys of {user}"), e))?;
    Ok(keys
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id().map(str::to_string))
        .collect())
}

/// Deletes `old` keys of `user` and creates one: (id, secret).
pub async fn replace_keys(
    iam: &aws_sdk_iam::Client,
    user: &str,
    old: &[String],
) -> Result<(String, String), ProvisionError> {
    for id in old {
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
    Ok((
        key.access_key_id().to_string(),
        key.secret_access_key().to_string(),
    ))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_allows_list_and_get_on_this_bucket_only() {
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
        let actions: Vec<&str> = statements
            .iter()
            .map(|s| s["Action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["s3:ListBucket", "s3:GetObject"]);
        assert_eq!(statements[0]["Resource"], "arn:aws:s3:::status");
        assert_eq!(
            statements[0]["Condition"]["StringLike"]["s3:prefix"][0],
            "ck/*"
        );
        assert_eq!(statements[1]["Resource"], "arn:aws:s3:::status/ck/*");
        assert!(statements.iter().all(|s| s["Effect"] == "Allow"));
    }

    #[test]
    fn iam_documents_are_url_decoded() {
        assert_eq!(
            percent_decode("%7B%22a%22%3A+1%7D").as_deref(),
            Some("{\"a\": 1}")
        );
        assert_eq!(percent_decode("%zz"), None);
    }
}
