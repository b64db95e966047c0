//! AWS Signature Version 4 for presigned S3 GET URLs: all the page needs to
//! read a bucket with its read-only key. The signature goes in the query
//! string, so requests stay "simple" and need no CORS preflight.
//!
//! Written here rather than taken from `aws-sigv4`, which signs any HTTP
//! request and brings the `http` crate along: far more WebAssembly than one
//! kind of request needs (BENCHMARKS.md). The tests check it against AWS's own
//! published example and against `aws-sigv4` for the URLs the page makes.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::s3::uri_encode;

/// A read-only key and where it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub region: String,
}

/// Why a URL cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot sign {url}: {why}")]
pub struct SignError {
    pub url: String,
    pub why: &'static str,
}

/// `url` (already percent-encoded, as `s3::S3Location` builds them) presigned
/// for a GET at `unix_secs`, valid for `expires_secs`.
pub fn presign_get(
    url: &str,
    credentials: &Credentials,
    unix_secs: i64,
    expires_secs: u32,
) -> Result<String, SignError> {
    let fail = |why| SignError {
        url: url.to_string(),
        why,
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| fail("it has no scheme"))?;
    let (authority, path_and_query) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(fail("it has no host"));
    }
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));

    let (date_time, date) = amz_date(unix_secs);
    let scope = format!("{date}/{}/s3/aws4_request", credentials.region);
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (name.to_string(), value.to_string())
        })
        .collect();
    let added = [
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_string()),
        (
            "X-Amz-Credential",
            format!("{}/{scope}", credentials.access_key_id),
        ),
        ("X-Amz-Date", date_time.clone()),
        ("X-Amz-Expires", expires_secs.to_string()),
        ("X-Amz-SignedHeaders", "host".to_string()),
    ];
    let added: Vec<(String, String)> = added
        .into_iter()
        .map(|(name, value)| (name.to_string(), uri_encode(&value, false)))
        .collect();
    params.extend(added.iter().cloned());
    crate::sorting::sort(&mut params);
    let canonical_query = params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&");

    // S3 signs the path as sent: no second encoding, no normalising.
    let canonical_request = format!(
        "GET\n{path}\n{canonical_query}\nhost:{}\n\nhost\nUNSIGNED-PAYLOAD",
        host_header(scheme, authority)
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [credentials.region.as_str(), "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));

    let mut signed = url.to_string();
    for (name, value) in added
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([("X-Amz-Signature", signature.as_str())])
    {
        signed.push(if signed.contains('?') { '&' } else { '?' });
        signed.push_str(name);
        signed.push('=');
        signed.push_str(value);
    }
    Ok(signed)
}

/// The Host header a browser sends for this authority: lower-cased, and
/// without the scheme's default port (URL parsing drops it).
fn host_header(scheme: &str, authority: &str) -> String {
    let host = authority.to_ascii_lowercase();
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => "",
    };
    match host.strip_suffix(default_port) {
        Some(bare) if !default_port.is_empty() => bare.to_string(),
        _ => host,
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `("20130524T000000Z", "20130524")` for a Unix time, in UTC.
fn amz_date(unix_secs: i64) -> (String, String) {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let date = format!("{y:04}{m:02}{d:02}");
    let time = format!(
        "{date}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    (time, date)
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic
/// Gregorian; Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn example_key(region: &str) -> Credentials {
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            region: region.into(),
        }
    }

    /// 2013-05-24T00:00:00Z, the time of AWS's published example.
    const EXAMPLE_TIME: i64 = 1_369_353_600;

    #[test]
    fn dates_in_utc() {
        assert_eq!(
            amz_date(EXAMPLE_TIME),
            ("20130524T000000Z".into(), "20130524".into())
        );
        assert_eq!(amz_date(0).0, "19700101T000000Z");
        assert_eq!(amz_date(951_825_599).0, "20000229T115959Z", "a leap day");
        assert_eq!(amz_date(1_795_824_000 + 86_399).0, "20261128T235959Z");
    }

    /// AWS's documented example of a presigned GET ("Authenticating Requests:
    /// Using Query Parameters", Signature Version 4).
    #[test]
    fn matches_aws_published_example() {
        let signed = presign_get(
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &example_key("us-east-1"),
            EXAMPLE_TIME,
            86_400,
        )
        .unwrap();
        assert!(
            signed.ends_with(
                "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            ),
            "{signed}"
        );
        assert!(signed.contains(
            "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
        ));
    }

    /// The signature aws-sigv4 gives the same request, configured as S3
    /// wants it (single encoding, no path normalising, unsigned payload).
    fn reference(url: &str, key: &Credentials, unix_secs: i64, expires: u32) -> String {
        use aws_sigv4::http_request::{
            PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
            UriPathNormalizationMode, sign,
        };
        let credentials = aws_credential_types::Credentials::new(
            &key.access_key_id,
            &key.secret_access_key,
            None,
            None,
            "test",
        );
        let identity = credentials.into();
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(expires.into()));
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&key.region)
            .name("s3")
            .time(UNIX_EPOCH + Duration::from_secs(unix_secs as u64))
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let request = SignableRequest::new(
            "GET",
            url,
            std::iter::empty(),
            SignableBody::UnsignedPayload,
        )
        .unwrap();
        let (_, signature) = sign(request, &params).unwrap().into_parts();
        signature
    }

    #[test]
    fn agrees_with_aws_sigv4_for_the_urls_the_page_makes() {
        let location = |endpoint: Option<&str>, path_style| crate::s3::S3Location {
            bucket: "status".into(),
            region: "garage".into(),
            endpoint: endpoint.map(str::to_string),
            path_style,
            prefix: "checkup/".into(),
        };
        let local = location(Some("http://127.0.0.1:3900"), true);
        let hosted = location(Some("https://s3.example.net"), false);
        let aws = location(None, false);
        let urls = [
            local.list_url("checkup/1700000000000000000", None),
            local.list_url("checkup/1700000000000000000", Some("tok+en/with=odd&chars")),
            local.list_url_under("views/", "", None),
            local.object_url("checkup/views/node 1-history.json"),
            local.object_url("checkup/1700000000000000000-zürich-check.json"),
            hosted.list_url("", None),
            hosted.object_url("checkup/a~b_c.d-e.json"),
            aws.object_url("checkup/1-a-check.json"),
        ];
        for (i, url) in urls.iter().enumerate() {
            let key = example_key(if i % 2 == 0 { "garage" } else { "eu-west-1" });
            let at = 1_795_824_000 + i as i64 * 7_919;
            let ours = presign_get(url, &key, at, 900).unwrap();
            let signature = ours.rsplit_once("X-Amz-Signature=").unwrap().1;
            assert_eq!(signature, reference(url, &key, at, 900), "{url}");
            assert!(ours.starts_with(url.as_str()), "the URL is kept as built");
        }
    }

    #[test]
    fn default_ports_are_not_part_of_the_host() {
        assert_eq!(host_header("http", "S3.Example:80"), "s3.example");
        assert_eq!(host_header("https", "s3.example:443"), "s3.example");
        assert_eq!(host_header("http", "127.0.0.1:3900"), "127.0.0.1:3900");
        assert_eq!(host_header("https", "s3.example:80"), "s3.example:80");
    }

    #[test]
    fn unusable_urls_are_named() {
        let key = example_key("garage");
        let e = presign_get("status/key.json", &key, 0, 900).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot sign status/key.json: it has no scheme"
        );
        assert!(presign_get("http:///key.json", &key, 0, 900).is_err());
    }
}
