//! One small HTTPS client for the calls no AWS SDK crate of ours makes: AppSync's GraphQL
//! endpoint and Cognito Identity's two unsigned calls. It is the TLS stack the SDK clients
//! already carry (hyper + rustls with aws-lc and the system's roots), so it adds no TLS code,
//! and it shares one connection pool per process. Every call is bounded in time.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::ConfigBuilderExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::error::{AwsCause, SeedError, SeedResult};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// The same bound as one SDK operation (aws.rs): a hung endpoint ends in a named error.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// What came back: the status and the whole body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

fn build() -> Result<Client<Https, Full<Bytes>>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_native_roots()
        .map_err(|e| e.to_string())?
        .with_no_client_auth();
    // http too: the local emulator (and AWS_ENDPOINT_URL pointing at a proxy) speak plain HTTP.
    let https = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().build();
    Ok(Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(20)).build(https))
}

fn client() -> SeedResult<&'static Client<Https, Full<Bytes>>> {
    static CLIENT: OnceLock<Result<Client<Https, Full<Bytes>>, String>> = OnceLock::new();
    CLIENT.get_or_init(build).as_ref().map_err(|why| {
        SeedError::user(
            "NetworkError",
            format!("Could not set up TLS: {why}"),
            "Check that this machine has its CA certificates installed.",
        )
    })
}

/// Sends `request` and reads the whole answer.
pub async fn send(request: http::Request<Full<Bytes>>) -> SeedResult<Answer> {
    let client = client()?;
    let host = request.uri().host().unwrap_or_default().to_owned();
    let call = async {
        let response = client.request(request).await.map_err(|e| network_error(&host, &e))?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.map_err(|e| network_error(&host, &e))?.to_bytes();
        Ok(Answer { status, body })
    };
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(answer) => answer,
        Err(_) => Err(SeedError::aws(AwsCause {
            name: "TimeoutError".into(),
            message: format!("{host} did not answer within {} s.", CALL_TIMEOUT.as_secs()),
        })),
    }
}

fn network_error(host: &str, error: &dyn std::error::Error) -> SeedError {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    SeedError::aws(AwsCause { name: "NetworkError".into(), message: format!("Could not reach {host}: {text}") })
}
