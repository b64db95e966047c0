//! The bucket and its CORS rule.

use aws_sdk_s3::types::{
    BucketLocationConstraint, CorsConfiguration, CorsRule, CreateBucketConfiguration,
};

use super::{ProvisionError, step_error};
use crate::storage::S3Settings;

/// Creates the bucket unless it exists.
pub async fn ensure_bucket(
    s3: &aws_sdk_s3::Client,
    settings: &S3Settings,
) -> Result<String, ProvisionError> {
    match s3.head_bucket().bucket(&settings.bucket).send().await {
        Ok(_) => return Ok(format!("{} exists", settings.bucket)),
        Err(e) if e.as_service_error().is_some_and(|se| se.is_not_found()) => {}
        Err(e) => {
            return Err(step_error(
                format!("cannot look up bucket {}", settings.bucket),
                e,
            ));
        }
    }
    let mut create = s3.create_bucket().bucket(&settings.bucket);
    // us-east-1 is the one region that must not be named.
    if settings.region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(settings.region.as_str()))
                .build(),
        );
    }
    create
        .send()
        .await
        .map_err(|e| step_error(format!("cannot create bucket {}", settings.bucket), e))?;
    Ok(format!("{} created", settings.bucket))
}

/// The rule: the page's origins may GET and HEAD (presigned URLs need no
/// custom headers, so no preflight); nothing else.
fn desired_rule(origins: &[String]) -> CorsRule {
    CorsRule::builder()
        .set_allowed_origins(Some(origins.to_vec()))
        .allowed_methods("GET")
        .allowed_methods("HEAD")
        .allowed_headers("*")
        .max_age_seconds(3600)
        .build()
        .expect("origins and methods are set")
}

/// Sets the CORS rule unless the bucket already has exactly it.
pub async fn ensure_cors(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    origins: &[String],
) -> Result<String, ProvisionError> {
    if origins.is_empty() {
        return Ok("skipped (no --origin given; the page must then be served from the bucket's own origin)".into());
    }
    let want = desired_rule(origins);
    let current = s3.get_bucket_cors().bucket(bucket).send().await.ok();
    let same = current.as_ref().is_some_and(|c| {
        let rules = c.cors_rules();
        rules.len() == 1 && same_rule(&rules[0], &want)
    });
    if same {
        return Ok(format!("already allows {}", origins.join(", ")));
    }
    let config = CorsConfiguration::builder()
        .cors_rules(want)
        .build()
        .expect("rules are set");
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(config)
        .send()
        .await
        .map_err(|e| step_error(format!("cannot set CORS on {bucket}"), e))?;
    Ok(format!("set: {} may GET and HEAD", origins.join(", ")))
}

fn same_rule(a: &CorsRule, b: &CorsRule) -> bool {
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    sorted(a.allowed_origins()) == sorted(b.allowed_origins())
        && sorted(a.allowed_methods()) == sorted(b.allowed_methods())
        && sorted(a.allowed_headers()) == sorted(b.allowed_headers())
        && a.max_age_seconds() == b.max_age_seconds()
}
