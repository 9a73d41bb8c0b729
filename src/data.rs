//! The Data and Storage exports (graphql, createRecords, uploadFiles, currentIdentityId):
//! argument checks and summaries as JS values. GraphQL documents' variables and records
//! cross as JSON text (the glue stringifies and parses them); the work is the core's
//! (`seed_core::data`, `records`, `storage`).

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seed_core::bulk::{ProgressSink, StandardError};
use seed_core::data::{self, AuthMode};
use seed_core::records::{self, OnConflict, RecordOptions, RecordsSummary};
use seed_core::storage::{self, FileUpload, Source, UploadOptions, UploadSummary};
use seed_core::{identity, SeedError, SeedResult};
use serde_json::{Map, Value};

use crate::{input, promise, promise_with};

/// Records or files in one call, at most.
const MAX_ITEMS_PER_CALL: usize = 100_000;
const DEFAULT_CONCURRENCY: usize = 16;

fn auth_mode(object: &Object, function: &str, allowed: &[AuthMode]) -> SeedResult<Option<AuthMode>> {
    let Some(name) = input::optional_string_property(object, function, "options", "authMode")? else { return Ok(None) };
    match AuthMode::parse(&name).filter(|mode| allowed.contains(mode)) {
        Some(mode) => Ok(Some(mode)),
        None => Err(SeedError::invalid_argument(format!(
            "{function}: options.authMode must be one of {}, got {name:?}.",
            allowed.iter().map(|m| format!("\"{}\"", m.as_str())).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn is_absent(value: &Unknown) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null))
}

/// One GraphQL request to the sandbox's Data API; resolves to `data` as JSON text.
#[napi(ts_args_type = "query: string, variablesJson: string, options?: GraphqlOptions", ts_return_type = "Promise<string>")]
pub fn graphql<'env>(env: &'env Env, query: Unknown<'env>, variables_json: Unknown<'env>, options: Unknown<'env>) -> Result<PromiseRaw<'env, String>> {
    const F: &str = "graphql";
    let parsed = (|| {
        let query = input::string(query, F, "query")?;
        if query.trim().is_empty() {
            return Err(SeedError::invalid_argument(format!("{F}: query must be a GraphQL document, got an empty string.")));
        }
        let variables: Value = serde_json::from_str(&input::string(variables_json, F, "variables")?)
            .map_err(|_| SeedError::invalid_argument(format!("{F}: variables must be JSON-serializable.")))?;
        if !variables.is_object() {
            return Err(SeedError::invalid_argument(format!("{F}: variables must be an object.")));
        }
        let mode = if is_absent(&options) {
            None
        } else {
            auth_mode(&input::object(options, F, "options")?, F, &AuthMode::ALL)?
        };
        Ok((query, variables, mode))
    })();
    promise(env, async move {
        let (query, variables, mode) = parsed?;
        let config = data::data_config().await?;
        let data = data::graphql(&config, &query, Some(&variables), mode).await?.into_result()?;
        Ok(data.to_string())
    })
}

fn records_summary(env: &Env, summary: RecordsSummary) -> Result<Object<'_>> {
    let as_u32 = |list: Vec<usize>| list.into_iter().map(|i| i as u32).collect::<Vec<u32>>();
    let mut object = Object::new(env)?;
    object.set("created", as_u32(summary.created))?;
    object.set("updated", as_u32(summary.updated))?;
    object.set("skipped", as_u32(summary.skipped))?;
    let failed = summary.failed.into_iter().map(|(index, error)| (index as u32, error)).collect();
    object.set("failed", crate::bulk::failed_list(env, failed, "index")?)?;
    Ok(object)
}

/// Creates many records of one model; resolves to `{ created, updated, skipped, failed }`.
#[napi(ts_args_type = "model: string, recordsJson: string, options?: CreateRecordsOptions", ts_return_type = "Promise<CreateRecordsResult>")]
pub fn create_records<'env>(env: &'env Env, model: Unknown<'env>, records_json: Unknown<'env>, options: Unknown<'env>) -> Result<PromiseRaw<'env, Object<'env>>> {
    const F: &str = "createRecords";
    let parsed = (|| {
        let model = input::string(model, F, "model")?;
        if model.is_empty() || !model.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || model.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(SeedError::invalid_argument(format!("{F}: model must be a model name of your schema (letters, digits, _), got {model:?}.")));
        }
        let records: Value = serde_json::from_str(&input::string(records_json, F, "records")?)
            .map_err(|_| SeedError::invalid_argument(format!("{F}: records must be JSON-serializable.")))?;
        let Value::Array(list) = records else {
            return Err(SeedError::invalid_argument(format!("{F}: records must be an array of objects.")));
        };
        if list.len() > MAX_ITEMS_PER_CALL {
            return Err(SeedError::invalid_argument(format!("{F}: records has {} entries; one call takes at most {MAX_ITEMS_PER_CALL}.", list.len())));
        }
        let list: Vec<Map<String, Value>> = list
            .into_iter()
            .enumerate()
            .map(|(index, record)| match record {
                Value::Object(map) => Ok(map),
                other => Err(SeedError::invalid_argument(format!("{F}: records[{index}] must be an object, got {}.", json_type(&other)))),
            })
            .collect::<SeedResult<_>>()?;
        let mut options_out = RecordOptions { concurrency: DEFAULT_CONCURRENCY, on_conflict: OnConflict::Skip, auth_mode: None };
        let mut sink: Arc<dyn ProgressSink> = Arc::new(StandardError::new());
        if !is_absent(&options) {
            let object = input::object(options, F, "options")?;
            (options_out.concurrency, sink) = crate::bulk::concurrency_and_progress(&object, F, DEFAULT_CONCURRENCY)?;
            options_out.auth_mode = auth_mode(&object, F, &AuthMode::ALL)?;
            if let Some(name) = input::optional_string_property(&object, F, "options", "onConflict")? {
                options_out.on_conflict = OnConflict::parse(&name).ok_or_else(|| {
                    SeedError::invalid_argument(format!("{F}: options.onConflict must be \"skip\", \"update\" or \"error\", got {name:?}."))
                })?;
            }
        }
        Ok((model, list, options_out, sink))
    })();
    promise_with(
        env,
        async move {
            let (model, list, options, sink) = parsed?;
            let config = data::data_config().await?;
            records::create_records(Arc::new(config), &model, list, options, sink).await
        },
        records_summary,
    )
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn upload_summary(env: &Env, summary: UploadSummary) -> Result<Object<'_>> {
    let mut object = Object::new(env)?;
    object.set("uploaded", summary.uploaded)?;
    object.set("failed", crate::bulk::failed_list(env, summary.failed, "path")?)?;
    Ok(object)
}

/// One entry of `files`: `{ path, file }`, `{ path, data }` or `{ from, to }` (the glue has
/// already turned path functions into strings and text into bytes).
fn file_entries(value: Unknown, index: usize) -> SeedResult<Vec<FileUpload>> {
    const F: &str = "uploadFiles";
    let what = format!("files[{index}]");
    let object = input::object(value, F, &what)?;
    let content_type = input::optional_string_property(&object, F, &what, "contentType")?;
    if let Some(from) = input::optional_string_property(&object, F, &what, "from")? {
        let to = input::optional_string_property(&object, F, &what, "to")?.unwrap_or_default();
        if !to.is_empty() && !to.ends_with('/') {
            return Err(SeedError::invalid_argument(format!("{F}: {what}.to must end with \"/\" (a key prefix), got {to:?}.")));
        }
        let mut files = storage::folder(&PathBuf::from(from), &to)?;
        for file in &mut files {
            file.content_type.clone_from(&content_type);
        }
        return Ok(files);
    }
    let path = input::string_property(&object, F, &what, "path")?;
    if path.is_empty() || path.starts_with('/') {
        return Err(SeedError::invalid_argument(format!("{F}: {what}.path must be an object key such as \"public/photo.jpg\", got {path:?}.")));
    }
    let source = match (input::optional_string_property(&object, F, &what, "file")?, input::raw_property(&object, F, &what, "data")?) {
        (Some(file), None) => Source::Disk(PathBuf::from(file)),
        (None, Some(data)) => {
            let bytes = Buffer::from_unknown(data)
                .map_err(|_| SeedError::invalid_argument(format!("{F}: {what}.data must be a string, a Buffer or a Uint8Array.")))?;
            Source::Memory(Arc::new(bytes.to_vec()))
        }
        _ => return Err(SeedError::invalid_argument(format!("{F}: {what} needs exactly one of file (a path on disk) or data."))),
    };
    Ok(vec![FileUpload { path, source, content_type }])
}

/// Uploads files to the sandbox's bucket; resolves to `{ uploaded, failed }`.
#[napi(ts_args_type = "files: object[], options?: UploadFilesOptions", ts_return_type = "Promise<UploadFilesResult>")]
pub fn upload_files<'env>(env: &'env Env, files: Unknown<'env>, options: Unknown<'env>) -> Result<PromiseRaw<'env, Object<'env>>> {
    const F: &str = "uploadFiles";
    let parsed = (|| {
        let mut list = Vec::new();
        for (index, value) in input::array(files, F, "files")?.into_iter().enumerate() {
            list.extend(file_entries(value, index)?);
        }
        if list.len() > MAX_ITEMS_PER_CALL {
            return Err(SeedError::invalid_argument(format!("{F}: {} files; one call takes at most {MAX_ITEMS_PER_CALL}.", list.len())));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = list.iter().find(|f| !seen.insert(f.path.as_str())) {
            return Err(SeedError::invalid_argument(format!("{F}: the key {:?} is given twice.", twice.path)));
        }
        let mut upload = UploadOptions { concurrency: DEFAULT_CONCURRENCY, auth_mode: AuthMode::IdentityPool, bucket: None };
        let mut sink: Arc<dyn ProgressSink> = Arc::new(StandardError::new());
        if !is_absent(&options) {
            let object = input::object(options, F, "options")?;
            (upload.concurrency, sink) = crate::bulk::concurrency_and_progress(&object, F, DEFAULT_CONCURRENCY)?;
            upload.auth_mode = auth_mode(&object, F, &[AuthMode::IdentityPool, AuthMode::Iam])?.unwrap_or(AuthMode::IdentityPool);
            upload.bucket = input::optional_string_property(&object, F, "options", "bucket")?;
        }
        Ok((list, upload, sink))
    })();
    promise_with(
        env,
        async move {
            let (list, upload, sink) = parsed?;
            storage::upload_files(list, upload, sink).await
        },
        upload_summary,
    )
}

/// The signed-in user's identity id in the identity pool (what storage paths use).
#[napi(ts_return_type = "Promise<string>")]
pub fn current_identity_id(env: &Env) -> Result<PromiseRaw<'_, String>> {
    promise(env, async move { identity::current_identity_id("A storage path function").await })
}
