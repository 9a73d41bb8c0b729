//! The sandbox's Storage (S3): its buckets from the root stack, and `uploadFiles` on the bulk
//! engine, as the signed-in user (identity-pool credentials, as aws-amplify's storage does)
//! or as the developer. Large files go up in parts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws::{cause_of, endpoint_override, sdk_config};
use crate::backend_id::{BackendIdentifier, Consumer};
use crate::bulk::{self, Outcome, ProgressSink};
use crate::config::{deployed_stack, DeployedStack};
use crate::data::{credentials_for, AuthMode};
use crate::error::{SeedError, SeedResult};

const STORAGE_METADATA_KEY: &str = "AWS::Amplify::Storage";
/// Files above two of these go up in parts of this size (S3 wants parts of at least 5 MiB).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts of one file in flight at once.
const PARTS_AT_ONCE: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The name given in `defineStorage` (`name`).
    pub name: String,
    pub bucket_name: String,
    pub region: String,
    /// The access definition (`{"public/*": {"authenticated": ["get", "write", ...]}, ...}`),
    /// when the stack has one.
    pub paths: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// The default bucket first.
    pub buckets: Vec<Bucket>,
}

pub fn missing_storage() -> SeedError {
    SeedError::user(
        "MissingStorageError",
        "Outputs for Storage are missing, you may be missing a Storage resource",
        "Create a Storage resource for your Amplify App or run ampx sandbox if you have generated your sandbox",
    )
}

impl StorageConfig {
    pub fn of(stack: &DeployedStack) -> SeedResult<StorageConfig> {
        let storage = stack.category(STORAGE_METADATA_KEY).ok_or_else(missing_storage)?;
        let default = Bucket {
            name: String::new(),
            bucket_name: storage.get("bucketName").ok_or_else(missing_storage)?,
            region: storage.get("storageRegion").ok_or_else(missing_storage)?,
            paths: None,
        };
        // `buckets`: a JSON list of JSON strings, one per bucket.
        let mut buckets: Vec<Bucket> = storage
            .get("buckets")
            .and_then(|raw| serde_json::from_str::<Vec<Value>>(&raw).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|entry| {
                let entry: Value = match entry {
                    Value::String(text) => serde_json::from_str(&text).ok()?,
                    other => other,
                };
                Some(Bucket {
                    name: entry["name"].as_str()?.to_owned(),
                    bucket_name: entry["bucketName"].as_str()?.to_owned(),
                    region: entry["storageRegion"].as_str()?.to_owned(),
                    paths: entry["paths"].as_object().cloned(),
                })
            })
            .collect();
        let default = match buckets.iter().position(|b| b.bucket_name == default.bucket_name) {
            Some(at) => buckets.remove(at),
            None => default,
        };
        buckets.insert(0, default);
        Ok(StorageConfig { buckets })
    }

    /// The bucket named `name` in `defineStorage`, or the default one.
    pub fn bucket(&self, name: Option<&str>) -> SeedResult<&Bucket> {
        let Some(name) = name else { return Ok(&self.buckets[0]) };
        self.buckets.iter().find(|b| b.name == name || b.bucket_name == name).ok_or_else(|| {
            let known: Vec<&str> = self.buckets.iter().filter(|b| !b.name.is_empty()).map(|b| b.name.as_str()).collect();
            SeedError::user(
                "UnknownBucketError",
                format!("The sandbox has no bucket named {name:?} (its buckets: {}).", known.join(", ")),
                "Use a bucket name from your defineStorage, or leave options.bucket out for the default bucket.",
            )
        })
    }
}

/// Who the signed-in user is to a bucket's access rules.
pub struct Caller<'a> {
    pub identity_id: &'a str,
    pub groups: &'a [String],
}

/// Whether `caller` may write `key` under a bucket's access definition, as Amplify grants
/// it: a path's `authenticated` rule, its `groups<name>` rule for a group the user is in, or
/// its `entityidentity` rule where `{entity_id}` is the user's own identity id. Elsewhere in
/// a path `{entity_id}` stands for anyone's.
pub fn may_write(paths: &serde_json::Map<String, Value>, key: &str, caller: &Caller) -> bool {
    let writes = |rule: Option<&Value>| rule.and_then(Value::as_array).is_some_and(|ops| ops.iter().any(|op| op == "write"));
    paths.iter().any(|(pattern, rules)| {
        let shared = writes(rules.get("authenticated"))
            || caller.groups.iter().any(|group| writes(rules.get(format!("groups{group}").as_str())));
        (shared && matches_path(pattern, key, None))
            || (writes(rules.get("entityidentity")) && matches_path(pattern, key, Some(caller.identity_id)))
    })
}

/// `public/*`, `media/{entity_id}/*`: a prefix, with `{entity_id}` one path segment (this
/// identity's when given, any otherwise).
fn matches_path(pattern: &str, key: &str, entity: Option<&str>) -> bool {
    let prefix = pattern.strip_suffix('*').unwrap_or(pattern);
    match prefix.split_once("{entity_id}") {
        None => key.starts_with(prefix) && key.len() > prefix.len(),
        Some((before, after)) => {
            let Some(rest) = key.strip_prefix(before) else { return false };
            let Some((segment, tail)) = rest.split_once('/') else { return false };
            let tail = format!("/{tail}");
            !segment.is_empty() && entity.is_none_or(|own| own == segment) && tail.starts_with(after) && tail.len() > after.len()
        }
    }
}

fn path_not_allowed(key: &str, paths: &serde_json::Map<String, Value>) -> SeedError {
    let prefixes: Vec<&str> = paths.keys().map(String::as_str).collect();
    SeedError::user(
        "PathNotAllowedError",
        format!("The signed-in user may not write {key:?}: no access path of the bucket lets them (its paths: {}).", prefixes.join(", ")),
        "Use a path defineStorage's access rules let the user write (private/{entity_id}/* is the user's identity id), or pass authMode: \"iam\" to upload as yourself.",
    )
}

/// What the signed-in user may write in one bucket.
struct UserAccess {
    paths: serde_json::Map<String, Value>,
    identity_id: String,
    groups: Vec<String>,
}

impl UserAccess {
    fn check(&self, key: &str) -> SeedResult<()> {
        let caller = Caller { identity_id: &self.identity_id, groups: &self.groups };
        if may_write(&self.paths, key, &caller) {
            Ok(())
        } else {
            Err(path_not_allowed(key, &self.paths))
        }
    }
}

/// The `cognito:groups` claim of an ID token (its payload only; the token came from Cognito).
fn groups_of(id_token: &str) -> Vec<String> {
    let claims = crate::session::token_claims(id_token).unwrap_or(Value::Null);
    claims["cognito:groups"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
}

pub async fn storage_config() -> SeedResult<StorageConfig> {
    let backend = BackendIdentifier::from_env(Consumer::Auth)?;
    StorageConfig::of(&*deployed_stack(&backend).await?)
}

/// An S3 client for `region` with the given credentials; path-style when the endpoint is
/// overridden (a local S3 has no per-bucket host names).
async fn client(region: &str, credentials: Option<aws_credential_types::Credentials>) -> aws_sdk_s3::Client {
    let shared = sdk_config().await;
    let mut config = aws_sdk_s3::config::Builder::from(shared).region(aws_sdk_s3::config::Region::new(region.to_owned()));
    if let Some(credentials) = credentials {
        config = config.credentials_provider(credentials);
    }
    if endpoint_override("S3").await.is_some() {
        config = config.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

/// The text of `s3://bucket/key`, read with the developer's credentials (what the Amplify CLI
/// reads the model schema with).
pub async fn read_s3_uri(uri: &str, region: &str) -> SeedResult<String> {
    let (bucket, key) = uri
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| SeedError::user("InvalidDataConfigError", format!("{uri:?} is not an s3:// URI."), "Redeploy the sandbox with npx ampx sandbox."))?;
    let got = client(region, None).await.get_object().bucket(bucket).key(key).send().await.map_err(|e| SeedError::aws(cause_of(&e)))?;
    let bytes = got.body.collect().await.map_err(|e| SeedError::aws(crate::error::AwsCause { name: "NetworkError".into(), message: e.to_string() }))?;
    String::from_utf8(bytes.to_vec()).map_err(|_| SeedError::user("InvalidDataConfigError", format!("{uri} is not text."), "Redeploy the sandbox with npx ampx sandbox."))
}

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    Disk(PathBuf),
    Memory(Arc<Vec<u8>>),
}

#[derive(Debug, Clone)]
pub struct FileUpload {
    /// The object key.
    pub path: String,
    pub source: Source,
    pub content_type: Option<String>,
}

/// Every file under `from` (recursively, in name order), keyed `to` + its path below `from`
/// with `/` separators.
pub fn folder(from: &Path, to: &str) -> SeedResult<Vec<FileUpload>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<FileUpload>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                walk(&entry.path(), &format!("{prefix}{name}/"), out)?;
            } else if kind.is_file() || (kind.is_symlink() && entry.path().is_file()) {
                out.push(FileUpload { path: format!("{prefix}{name}"), source: Source::Disk(entry.path()), content_type: None });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(from, to, &mut out).map_err(|e| {
        SeedError::user("FileReadError", format!("Could not read the folder {}: {e}", from.display()), "Check the folder exists and can be read.")
    })?;
    Ok(out)
}

/// The content type of a key, from its extension (`application/octet-stream` otherwise).
pub fn content_type_of(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" => "audio/ogg",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploaded;

impl Outcome for Uploaded {
    fn index(self) -> usize {
        0
    }
}

pub struct UploadOptions {
    pub concurrency: usize,
    pub auth_mode: AuthMode,
    pub bucket: Option<String>,
}

#[derive(Debug, Default)]
pub struct UploadSummary {
    pub uploaded: Vec<String>,
    pub failed: Vec<(String, SeedError)>,
}

/// Uploads every file; one failing file never stops the others.
pub async fn upload_files(files: Vec<FileUpload>, options: UploadOptions, sink: Arc<dyn ProgressSink>) -> SeedResult<UploadSummary> {
    let config = storage_config().await?;
    let bucket = config.bucket(options.bucket.as_deref())?.clone();
    let credentials = credentials_for(options.auth_mode, "uploadFiles with authMode \"identityPool\"").await?;
    // As the signed-in user, S3 takes only what the bucket's access paths grant them (their
    // identity-pool role's policy); a key outside them fails here, by name, not as AccessDenied.
    let allowed = match (&bucket.paths, options.auth_mode) {
        (Some(paths), AuthMode::IdentityPool) => Some(Arc::new(UserAccess {
            paths: paths.clone(),
            identity_id: crate::identity::current_identity_id("uploadFiles").await?,
            groups: crate::session::current_tokens().map(|t| groups_of(&t.id_token)).unwrap_or_default(),
        })),
        _ => None,
    };
    let s3 = client(&bucket.region, Some(credentials)).await;
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let bucket_name = Arc::new(bucket.bucket_name);
    let work = move |file: FileUpload| {
        let (s3, bucket_name, allowed) = (s3.clone(), bucket_name.clone(), allowed.clone());
        async move {
            if let Some(access) = allowed {
                access.check(&file.path)?;
            }
            upload_one(&s3, &bucket_name, file).await.map(|()| Uploaded)
        }
    };
    let results = bulk::run("files", files, options.concurrency, &["uploaded"], sink, work).await;
    let mut summary = UploadSummary::default();
    for (path, result) in paths.into_iter().zip(results) {
        match result {
            Ok(Uploaded) => summary.uploaded.push(path),
            Err(error) => summary.failed.push((path, error)),
        }
    }
    Ok(summary)
}

fn read_error(path: &Path, error: std::io::Error) -> SeedError {
    SeedError::user("FileReadError", format!("Could not read {}: {error}", path.display()), "Check the file exists and can be read.")
}

async fn upload_one(s3: &aws_sdk_s3::Client, bucket: &str, file: FileUpload) -> SeedResult<()> {
    let content_type = file.content_type.clone().unwrap_or_else(|| content_type_of(&file.path).to_owned());
    let size = match &file.source {
        Source::Memory(bytes) => bytes.len() as u64,
        Source::Disk(path) => file_size(path)?,
    };
    if size <= PART_SIZE as u64 * 2 {
        let body = match &file.source {
            Source::Memory(bytes) => ByteStream::from(bytes.as_ref().clone()),
            Source::Disk(path) => ByteStream::from(std::fs::read(path).map_err(|e| read_error(path, e))?),
        };
        s3.put_object().bucket(bucket).key(&file.path).content_type(content_type).body(body).send().await.map_err(|e| SeedError::aws(cause_of(&e)))?;
        return Ok(());
    }
    let started = s3
        .create_multipart_upload()
        .bucket(bucket)
        .key(&file.path)
        .content_type(content_type)
        .send()
        .await
        .map_err(|e| SeedError::aws(cause_of(&e)))?;
    let upload_id = started.upload_id().unwrap_or_default().to_owned();
    let parts = upload_parts(s3, bucket, &file, &upload_id, size).await;
    match parts {
        Ok(parts) => {
            s3.complete_multipart_upload()
                .bucket(bucket)
                .key(&file.path)
                .upload_id(&upload_id)
                .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
                .send()
                .await
                .map_err(|e| SeedError::aws(cause_of(&e)))?;
            Ok(())
        }
        Err(error) => {
            // Parts of an abandoned upload are billed until aborted.
            let _ = s3.abort_multipart_upload().bucket(bucket).key(&file.path).upload_id(&upload_id).send().await;
            Err(error)
        }
    }
}

/// The parts of one multipart upload, [`PARTS_AT_ONCE`] in flight, each read when its turn
/// comes (so a large file never sits in memory whole); the first failure stops the rest.
async fn upload_parts(s3: &aws_sdk_s3::Client, bucket: &str, file: &FileUpload, upload_id: &str, size: u64) -> SeedResult<Vec<CompletedPart>> {
    let permits = Arc::new(Semaphore::new(PARTS_AT_ONCE));
    let mut running = JoinSet::new();
    let mut parts = Vec::new();
    let count = size.div_ceil(PART_SIZE as u64);
    for number in 1..=count {
        let permit = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
        while let Some(done) = running.try_join_next() {
            parts.push(joined_part(done)?);
        }
        let (s3, bucket, key, upload_id, source) =
            (s3.clone(), bucket.to_owned(), file.path.clone(), upload_id.to_owned(), file.source.clone());
        running.spawn(async move {
            let _permit = permit;
            let offset = (number - 1) * PART_SIZE as u64;
            let length = (size - offset).min(PART_SIZE as u64) as usize;
            let chunk = match &source {
                Source::Memory(bytes) => bytes[offset as usize..offset as usize + length].to_vec(),
                Source::Disk(path) => read_range(path, offset, length).map_err(|e| read_error(path, e))?,
            };
            let number = number as i32;
            let part = s3
                .upload_part()
                .bucket(bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .body(ByteStream::from(chunk))
                .send()
                .await
                .map_err(|e| SeedError::aws(cause_of(&e)))?;
            // The SDK sends a CRC32 of each part by default; completing must repeat it.
            Ok::<_, SeedError>(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(part.e_tag().map(str::to_owned))
                    .set_checksum_crc32(part.checksum_crc32().map(str::to_owned))
                    .build(),
            )
        });
    }
    while let Some(done) = running.join_next().await {
        parts.push(joined_part(done)?);
    }
    parts.sort_by_key(|part| part.part_number());
    Ok(parts)
}

fn joined_part(done: Result<SeedResult<CompletedPart>, tokio::task::JoinError>) -> SeedResult<CompletedPart> {
    done.map_err(|e| SeedError::bug(format!("an upload part task failed: {e}")))?
}

fn file_size(path: &Path) -> SeedResult<u64> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| read_error(path, e))
}

fn read_range(path: &Path, offset: u64, length: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut buffer = vec![0; length];
    file.read_exact(&mut buffer)?;
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reads_the_buckets_default_first() {
        let metadata = r#"{"AWS::Amplify::Storage":{"version":"1","stackOutputs":["bucketName","storageRegion","buckets"]}}"#;
        let buckets = serde_json::to_string(&vec![
            r#"{"name":"media","bucketName":"media-bucket","storageRegion":"eu-west-1","paths":{}}"#,
            r#"{"name":"main","bucketName":"main-bucket","storageRegion":"eu-west-1","paths":{}}"#,
        ])
        .unwrap();
        let outputs: HashMap<String, String> = [("bucketName", "main-bucket"), ("storageRegion", "eu-west-1"), ("buckets", buckets.as_str())]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let stack = DeployedStack::new(Some(metadata), "CREATE_COMPLETE", Some(outputs)).unwrap();
        let config = StorageConfig::of(&stack).unwrap();
        assert_eq!(config.bucket(None).unwrap().name, "main");
        assert_eq!(config.bucket(Some("media")).unwrap().bucket_name, "media-bucket");
        assert_eq!(config.bucket(Some("nope")).unwrap_err().name, "UnknownBucketError");
        let none = DeployedStack::new(Some("{}"), "CREATE_COMPLETE", Some(HashMap::new())).unwrap();
        assert_eq!(StorageConfig::of(&none).unwrap_err().name, "MissingStorageError");
    }

    #[test]
    fn writes_follow_amplifys_access_paths() {
        let paths: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"public/*": {"guest": ["get"], "authenticated": ["get", "list", "write", "delete"]},
                "protected/{entity_id}/*": {"authenticated": ["get", "list"], "entityidentity": ["get", "write"]},
                "private/{entity_id}/*": {"entityidentity": ["get", "write"]},
                "admin/*": {"groupsadmin": ["write"], "authenticated": ["get"]}}"#,
        )
        .unwrap();
        let groups = vec!["editors".to_owned()];
        let me = Caller { identity_id: "us-east-1:me", groups: &groups };
        let yes = ["public/a.txt", "public/deep/b.png", "protected/us-east-1:me/c", "private/us-east-1:me/d/e"];
        let no = ["public/", "protected/us-east-1:other/c", "private/us-east-1:other/d", "private/us-east-1:me", "admin/x", "elsewhere/x"];
        for key in yes {
            assert!(may_write(&paths, key, &me), "{key} should be writable");
        }
        for key in no {
            assert!(!may_write(&paths, key, &me), "{key} should not be writable");
        }
        let admins = vec!["admin".to_owned()];
        assert!(may_write(&paths, "admin/x", &Caller { identity_id: "x", groups: &admins }));
        let error = path_not_allowed("elsewhere/x", &paths);
        assert_eq!(error.name, "PathNotAllowedError");
        assert!(error.message.contains("public/*"), "{}", error.message);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type_of("pictures/a.JPG"), "image/jpeg");
        assert_eq!(content_type_of("notes/readme.md"), "text/markdown");
        assert_eq!(content_type_of("blob"), "application/octet-stream");
    }

    #[test]
    fn a_folder_becomes_keys_under_the_prefix() {
        let dir = std::env::temp_dir().join(format!("seed-folder-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("b")).unwrap();
        std::fs::write(dir.join("a.txt"), "a").unwrap();
        std::fs::write(dir.join("b").join("c.png"), "c").unwrap();
        let keys: Vec<String> = folder(&dir, "public/").unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(keys, vec!["public/a.txt", "public/b/c.png"]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(folder(&dir, "x/").unwrap_err().name, "FileReadError");
    }
}
