//! `createRecords`: many records of one model through its `create<Model>` mutation, on the
//! bulk engine. A record whose primary key already exists is a conflict AppSync reports as
//! `DynamoDB:ConditionalCheckFailedException`; what it gets is the caller's choice, so a seed
//! that gives its records' identifiers can run again without duplicating them.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::bulk::{self, Outcome, ProgressSink};
use crate::data::{self, AuthMode, DataConfig};
use crate::error::{SeedError, SeedResult};

/// AppSync's error type for a write whose condition failed: an existing key on create.
const CONFLICT: &str = "DynamoDB:ConditionalCheckFailedException";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    Skip,
    Update,
    Error,
}

impl OnConflict {
    pub fn parse(name: &str) -> Option<OnConflict> {
        match name {
            "skip" => Some(OnConflict::Skip),
            "update" => Some(OnConflict::Update),
            "error" => Some(OnConflict::Error),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Skipped,
}

impl Outcome for Written {
    fn index(self) -> usize {
        self as usize
    }
}

const OUTCOMES: &[&str] = &["created", "updated", "skipped"];

pub struct RecordOptions {
    pub concurrency: usize,
    pub on_conflict: OnConflict,
    pub auth_mode: Option<AuthMode>,
}

/// What `createRecords` resolves to: indexes into the records given.
#[derive(Debug, Default)]
pub struct RecordsSummary {
    pub created: Vec<usize>,
    pub updated: Vec<usize>,
    pub skipped: Vec<usize>,
    pub failed: Vec<(usize, SeedError)>,
}

fn unknown_model(model: &str, known: &[&String]) -> SeedError {
    let mut names: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    SeedError::user(
        "UnknownModelError",
        format!("The Data API has no model named {model:?} (its models: {}).", names.join(", ")),
        "Use a model name from your amplify/data/resource.ts schema, as written there (case matters).",
    )
}

/// Writes every record; one failing record never stops the others.
pub async fn create_records(
    config: Arc<DataConfig>,
    model: &str,
    records: Vec<Map<String, Value>>,
    options: RecordOptions,
    sink: Arc<dyn ProgressSink>,
) -> SeedResult<RecordsSummary> {
    // The key fields make the selection set (always selectable) and say which records can
    // conflict at all. Without a schema in the stack, Amplify's default key: `id`.
    let key = match data::models(&config).await? {
        Some(models) => match models.get(model) {
            Some(found) => found.key.clone(),
            None => return Err(unknown_model(model, &models.keys().collect::<Vec<_>>())),
        },
        None => vec!["id".to_owned()],
    };
    let mode = match options.auth_mode {
        Some(mode) => mode,
        None => config.default_mode()?,
    };
    // A whole-run problem, not one per record.
    if matches!(mode, AuthMode::UserPool | AuthMode::IdentityPool) && crate::session::current_tokens().is_none() {
        return Err(crate::identity::no_signed_in_user(&format!("createRecords with authMode \"{}\"", mode.as_str())));
    }
    let selection = key.join(" ");
    let create = Arc::new(format!(
        "mutation Create{model}($input: Create{model}Input!) {{ create{model}(input: $input) {{ {selection} }} }}"
    ));
    let update = Arc::new(format!(
        "mutation Update{model}($input: Update{model}Input!) {{ update{model}(input: $input) {{ {selection} }} }}"
    ));
    let key = Arc::new(key);
    let on_conflict = options.on_conflict;
    let work = move |record: Map<String, Value>| {
        let (config, create, update, key) = (config.clone(), create.clone(), update.clone(), key.clone());
        async move {
            let input = json!({ "input": Value::Object(record.clone()) });
            let answer = data::graphql(&config, &create, Some(&input), Some(mode)).await?;
            let keyed = key.iter().all(|field| record.get(field).is_some_and(|v| !v.is_null()));
            if answer.error_type() != Some(CONFLICT) || !keyed {
                return answer.into_result().map(|_| Written::Created);
            }
            match on_conflict {
                OnConflict::Skip => Ok(Written::Skipped),
                OnConflict::Update => data::graphql(&config, &update, Some(&input), Some(mode))
                    .await?
                    .into_result()
                    .map(|_| Written::Updated),
                OnConflict::Error => {
                    let shown: Vec<String> = key.iter().map(|f| format!("{f} {}", record[f])).collect();
                    Err(SeedError::user(
                        "RecordExistsError",
                        format!("A record with {} already exists.", shown.join(", ")),
                        "Pass onConflict: \"skip\" or \"update\" to seed over existing records.",
                    ))
                }
            }
        }
    };
    let results = bulk::run("records", records, options.concurrency, OUTCOMES, sink, work).await;
    let mut summary = RecordsSummary::default();
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(Written::Created) => summary.created.push(index),
            Ok(Written::Updated) => summary.updated.push(index),
            Ok(Written::Skipped) => summary.skipped.push(index),
            Err(error) => summary.failed.push((index, error)),
        }
    }
    Ok(summary)
}
