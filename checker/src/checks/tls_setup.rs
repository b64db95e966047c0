//! TLS client settings shared by the kinds that speak TLS (tcp, tls): the
//! system's trusted roots plus an optional extra CA file, or no verification
//! at all when asked (self-signed services on a private network).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::options::{CaFile, FieldError, Table};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The roots: the system's, plus the certificates of `ca_file`.
pub fn root_store(ca_file: Option<&CaFile>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    // Unreadable system certificates are skipped: a CA file may be all we need.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(ca) = ca_file {
        for cert in &ca.certificates {
            roots.add(cert.clone()).map_err(|e| {
                format!(
                    "CA file {} holds a certificate that cannot be used: {e}",
                    ca.path.display()
                )
            })?;
        }
    }
    Ok(roots)
}

/// A client config that verifies against `root_store(ca_file)`, or accepts
/// any certificate when `verify` is false. Checks with the same settings
/// share one, since reading the system's roots is costly (BENCHMARKS.md).
/// A connector and the name to verify, for the address kinds' TLS options
/// (`tls`, `tls_verify`, `ca_file`, `server_name`): `None` without
/// `tls = true`, when the others are refused. `alpn` names the protocols
/// to offer (gRPC: `h2`).
pub type Tls = (tokio_rustls::TlsConnector, ServerName<'static>);

pub fn table_tls(table: &Table, host: String, alpn: &[&[u8]]) -> Result<Option<Tls>, FieldError> {
    if !table.bool("tls")?.unwrap_or(false) {
        for field in ["tls_verify", "ca_file", "server_name"] {
            if table.has(field) {
                return Err(table.error(field, "only applies with tls = true"));
            }
        }
        return Ok(None);
    }
    let verify = table.bool("tls_verify")?.unwrap_or(true);
    let ca = table.ca_file("ca_file")?;
    let mut config = client_config(verify, ca.as_ref()).map_err(|e| table.error("ca_file", e))?;
    if !alpn.is_empty() {
        Arc::make_mut(&mut config).alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    }
    let name = table_server_name(table, host)?;
    Ok(Some((tokio_rustls::TlsConnector::from(config), name)))
}

pub fn client_config(verify: bool, ca_file: Option<&CaFile>) -> Result<Arc<ClientConfig>, String> {
    type Shared = Mutex<Vec<((bool, Option<PathBuf>), Arc<ClientConfig>)>>;
    static SHARED: Shared = Mutex::new(Vec::new());
    let key = (verify, ca_file.map(|ca| ca.path.clone()));
    let mut shared = SHARED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, config)) = shared.iter().find(|(k, _)| *k == key) {
        return Ok(config.clone());
    }
    // Built while holding the lock: checks are set up one after another,
    // and a second caller with the same settings should wait, not build too.
    let config = build_client_config(verify, ca_file)?;
    shared.push((key, config.clone()));
    Ok(config)
}

fn build_client_config(
    verify: bool,
    ca_file: Option<&CaFile>,
) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = if verify {
        builder
            .with_root_certificates(root_store(ca_file)?)
            .with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(provider)))
            .with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Accepts any certificate, still checking that the handshake's signatures
/// are made with the key the certificate names.
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The name to verify for a table with `address` and optional
/// `server_name` (default: the address's host), with its error at the key
/// that gave it.
pub fn table_server_name(table: &Table, host: String) -> Result<ServerName<'static>, FieldError> {
    let (field, text) = match table.text("server_name")? {
        Some(name) => ("server_name", name),
        None => ("address", host),
    };
    server_name(&text)
        .map_err(|e| FieldError::new(table.span_of(field), table.key("server_name"), e))
}

/// The server name to present and verify: the host part of `host:port`.
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
    )
    .map_err(|e| format!("{host:?} is not a valid server name: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_with_the_same_settings_share_one_config() {
        let verifying = client_config(true, None).unwrap();
        assert!(Arc::ptr_eq(&verifying, &client_config(true, None).unwrap()));
        let trusting = client_config(false, None).unwrap();
        assert!(Arc::ptr_eq(&trusting, &client_config(false, None).unwrap()));
        assert!(!Arc::ptr_eq(&verifying, &trusting));
    }
}
