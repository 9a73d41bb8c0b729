//! The process's one HTTPS client: every AWS SDK client (aws.rs hands it to aws-config), and
//! the calls no SDK crate of ours makes (AppSync's GraphQL endpoint, Cognito Identity's two
//! unsigned calls). hyper over rustls with aws-lc and the system's roots, HTTP/1.1 only: AWS's
//! regional endpoints all speak it, and the SDK's own client would link a second hyper set-up
//! with HTTP/2 (h2) for nothing (issue #12: the addon's size). One connection pool per connect
//! timeout, so SDK calls and AppSync calls reuse the same connections.
//!
//! Proxies: an HTTPS destination goes through the proxy the environment names for it
//! (`HTTPS_PROXY` / `ALL_PROXY`, lower case too, skipping hosts in `NO_PROXY`), by a CONNECT
//! tunnel, as the SDK's own client does with the latest behaviour version; every AWS endpoint is
//! HTTPS. A plain-HTTP destination (a local emulator) is always reached directly.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper_rustls::ConfigBuilderExt;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use crate::error::{AwsCause, SeedError, SeedResult};

type Pool = Client<hyper_rustls::HttpsConnector<Route>, SdkBody>;
type BoxError = Box<dyn StdError + Send + Sync>;

/// Connecting is bounded everywhere (aws.rs gives the SDK clients the same value).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The same bound as one SDK operation (aws.rs): a hung endpoint ends in a named error.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// What came back: the status and the whole body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

fn tls() -> Result<rustls::ClientConfig, String> {
    static TLS: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    TLS.get_or_init(|| {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_native_roots()
            .map_err(|e| e.to_string())?
            .with_no_client_auth())
    })
    .clone()
}

/// The pool for a connect timeout, made on first use.
fn pool(connect_timeout: Option<Duration>) -> Result<Pool, String> {
    static POOLS: Mutex<Vec<(Option<Duration>, Pool)>> = Mutex::new(Vec::new());
    let mut pools = POOLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, pool)) = pools.iter().find(|(timeout, _)| *timeout == connect_timeout) {
        return Ok(pool.clone());
    }
    let mut tcp = TcpConnector::new();
    tcp.enforce_http(false);
    tcp.set_connect_timeout(connect_timeout);
    let route = Route { tcp, proxies: Arc::new(Matcher::from_env()) };
    // http too: the local emulator (and AWS_ENDPOINT_URL pointing at one) speak plain HTTP.
    let https = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls()?).https_or_http().enable_http1().wrap_connector(route);
    let pool = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(20)).build(https);
    pools.push((connect_timeout, pool.clone()));
    Ok(pool)
}

/// How a connection reaches its destination: straight, or, for HTTPS with a proxy named for it,
/// through a CONNECT tunnel (TLS then runs end to end inside it).
#[derive(Clone)]
struct Route {
    tcp: TcpConnector,
    proxies: Arc<Matcher>,
}

impl tower_service::Service<http::Uri> for Route {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, destination: http::Uri) -> Self::Future {
        let proxy = match destination.scheme_str() {
            Some("https") => self.proxies.intercept(&destination),
            _ => None,
        };
        let Some(proxy) = proxy else {
            let connecting = self.tcp.call(destination);
            return Box::pin(async move { connecting.await.map_err(Into::into) });
        };
        let mut tunnel = Tunnel::new(proxy.uri().clone(), self.tcp.clone());
        if let Some(credentials) = proxy.basic_auth() {
            tunnel = tunnel.with_auth(credentials.clone());
        }
        Box::pin(async move {
            std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
            Ok(tunnel.call(destination).await?)
        })
    }
}

fn tls_error(why: String) -> SeedError {
    SeedError::user("NetworkError", format!("Could not set up TLS: {why}"), "Check that this machine has its CA certificates installed.")
}

/// Sends `request` and reads the whole answer.
pub async fn send(request: http::Request<Bytes>) -> SeedResult<Answer> {
    let pool = pool(Some(CONNECT_TIMEOUT)).map_err(tls_error)?;
    let host = request.uri().host().unwrap_or_default().to_owned();
    let call = async {
        let response = pool.request(request.map(SdkBody::from)).await.map_err(|e| network_error(&host, &e))?;
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

fn network_error(host: &str, error: &(dyn StdError + 'static)) -> SeedError {
    let text = sources(error).map(ToString::to_string).collect::<Vec<_>>().join(": ");
    SeedError::aws(AwsCause { name: "NetworkError".into(), message: format!("Could not reach {host}: {text}") })
}

/// The HTTP client for aws-config and every SDK client made from its configuration.
pub fn sdk_client() -> SharedHttpClient {
    http_client_fn(|settings: &HttpConnectorSettings, _components| {
        SharedHttpConnector::new(SdkConnector { connect_timeout: settings.connect_timeout(), read_timeout: settings.read_timeout() })
    })
}

#[derive(Debug)]
struct SdkConnector {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

impl HttpConnector for SdkConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let pool = pool(self.connect_timeout);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let pool = pool.map_err(|why| ConnectorError::other(why.into(), None))?;
            let request = request.try_into_http1x().map_err(|e| ConnectorError::user(e.into()))?;
            let sent = pool.request(request);
            let response = match read_timeout {
                Some(limit) => tokio::time::timeout(limit, sent).await.map_err(|elapsed| ConnectorError::timeout(elapsed.into()))?,
                None => sent.await,
            }
            .map_err(classify)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x)).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Sorts a failed send the way the SDK's retry strategy reads it: timeouts and broken or
/// refused connections are transient (retried), anything else is not.
fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let io = source_of::<std::io::Error>(&error).map(std::io::Error::kind);
    let transient = error.is_connect()
        || io.is_some()
        || source_of::<hyper::Error>(&error).is_some_and(|e| e.is_incomplete_message() || e.is_closed() || e.is_canceled());
    if io == Some(std::io::ErrorKind::TimedOut) {
        ConnectorError::timeout(error.into())
    } else if transient {
        ConnectorError::io(error.into())
    } else {
        ConnectorError::other(error.into(), None)
    }
}

/// `error`, then what caused it, and so on.
fn sources<'a>(error: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&current| current.source())
}

/// The first error of type `T` among `error`'s sources.
fn source_of<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    sources(error).find_map(|current| current.downcast_ref::<T>())
}
