//! What the page needs to read an S3 bucket without an SDK: object and
//! ListObjectsV2 URLs (path-style or virtual-hosted), and a parser for the
//! listing's XML (read by `xml.rs`). Signing (`sigv4.rs`) happens in the
//! page, which has the browser's clock.

pub mod sigv4;
pub mod xml;

/// Where a bucket is and how to address it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    pub region: String,
    /// e.g. `http://127.0.0.1:3900`; `None` = AWS.
    pub endpoint: Option<String>,
    pub path_style: bool,
    /// Empty, or ends with '/'.
    pub prefix: String,
}

/// One page of a ListObjectsV2 answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPage {
    pub keys: Vec<String>,
    /// Present when the listing is truncated: pass it to get the next page.
    pub next_continuation_token: Option<String>,
}

impl S3Location {
    /// The URL of the bucket itself, without a trailing slash.
    pub fn bucket_url(&self) -> String {
        let bucket = uri_encode(&self.bucket, false);
        match (&self.endpoint, self.path_style) {
            (Some(endpoint), true) => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
            (Some(endpoint), false) => match endpoint.split_once("://") {
                Some((scheme, host)) => {
                    format!("{scheme}://{bucket}.{}", host.trim_end_matches('/'))
                }
                None => format!("{endpoint}/{bucket}"),
            },
            (None, true) => format!("https://s3.{}.amazonaws.com/{bucket}", self.region),
            (None, false) => format!("https://{bucket}.s3.{}.amazonaws.com", self.region),
        }
    }

    pub fn object_url(&self, key: &str) -> String {
        format!("{}/{}", self.bucket_url(), uri_encode(key, true))
    }

    /// ListObjectsV2 of this prefix, keys after `start_after`.
    pub fn list_url(&self, start_after: &str, continuation_token: Option<&str>) -> String {
        self.list_url_under("", start_after, continuation_token)
    }

    /// ListObjectsV2 of `<prefix><dir>` (e.g. `views/`), keys after `start_after`.
    pub fn list_url_under(
        &self,
        dir: &str,
        start_after: &str,
        continuation_token: Option<&str>,
    ) -> String {
        let mut url = format!(
            "{}/?list-type=2&prefix={}&start-after={}",
            self.bucket_url(),
            uri_encode(&format!("{}{dir}", self.prefix), false),
            uri_encode(start_after, false)
        );
        if let Some(token) = continuation_token {
            url.push_str("&continuation-token=");
            url.push_str(&uri_encode(token, false));
        }
        url
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters (and '/', if
/// `keep_slash`), the way SigV4 expects.
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Parses a ListObjectsV2 response, or an S3 error document, into a page or a
/// message naming what went wrong.
pub fn parse_list(xml: &str) -> Result<ListPage, String> {
    let root =
        crate::s3::xml::parse(xml).map_err(|e| format!("the listing is not valid XML ({e})"))?;
    match root.name.as_str() {
        "ListBucketResult" => {}
        "Error" => {
            let code = root.child_text("Code").unwrap_or("unknown error");
            let message = root.child_text("Message").unwrap_or_default();
            return Err(if message.is_empty() {
                code.to_string()
            } else {
                format!("{code}: {message}")
            });
        }
        other => return Err(format!("expected a ListBucketResult, got <{other}>")),
    }
    let keys = root
        .children
        .iter()
        .filter(|c| c.name == "Contents")
        .filter_map(|c| c.child_text("Key"))
        .map(str::to_string)
        .collect();
    let truncated = root.child_text("IsTruncated") == Some("true");
    let next_continuation_token = if truncated {
        Some(
            root.child_text("NextContinuationToken")
                .ok_or("the listing is truncated but has no NextContinuationToken")?
                .to_string(),
        )
    } else {
        None
    };
    Ok(ListPage {
        keys,
        next_continuation_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(endpoint: Option<&str>, path_style: bool) -> S3Location {
        S3Location {
            bucket: "status".into(),
            region: "eu-west-1".into(),
            endpoint: endpoint.map(str::to_string),
            path_style,
            prefix: "checkup/".into(),
        }
    }

    #[test]
    fn urls_in_each_addressing_style() {
        assert_eq!(
            loc(Some("http://127.0.0.1:3900/"), true).object_url("checkup/1-a-check.json"),
            "http://127.0.0.1:3900/status/checkup/1-a-check.json"
        );
        assert_eq!(
            loc(Some("https://acc.r2.cloudflarestorage.com"), false).bucket_url(),
            "https://status.acc.r2.cloudflarestorage.com"
        );
        assert_eq!(
            loc(None, false).bucket_url(),
            "https://status.s3.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            loc(None, true).bucket_url(),
            "https://s3.eu-west-1.amazonaws.com/status"
        );
        assert_eq!(
            loc(None, false).list_url("checkup/17", Some("a+b/c=")),
            "https://status.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=checkup%2F&start-after=checkup%2F17&continuation-token=a%2Bb%2Fc%3D"
        );
    }

    #[test]
    fn listing_with_continuation() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>status</Name><Prefix>checkup/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok==</NextContinuationToken>
<Contents><Key>checkup/1-a-check.json</Key><Size>10</Size></Contents><Contents><Key>checkup/2-b&amp;c-check.json</Key></Contents></ListBucketResult>"#;
        let page = parse_list(xml).unwrap();
        assert_eq!(
            page.keys,
            ["checkup/1-a-check.json", "checkup/2-b&c-check.json"]
        );
        assert_eq!(page.next_continuation_token.as_deref(), Some("tok=="));
    }

    #[test]
    fn empty_listing_and_errors() {
        let empty =
            parse_list("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
                .unwrap();
        assert_eq!(empty, ListPage::default());
        let denied =
            parse_list("<Error><Code>AccessDenied</Code><Message>Forbidden</Message></Error>")
                .unwrap_err();
        assert_eq!(denied, "AccessDenied: Forbidden");
        assert!(
            parse_list("<html>oops")
                .unwrap_err()
                .contains("not valid XML")
        );
        assert!(
            parse_list("<Other/>")
                .unwrap_err()
                .contains("expected a ListBucketResult")
        );
        assert!(
            parse_list("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .unwrap_err()
                .contains("NextContinuationToken")
        );
    }
}
