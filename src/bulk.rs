//! The bulk exports (createUsers, deleteUsers, deleteAllUsers) and the seed policy: argument
//! checks, the progress callback, and the summaries as JS values. The work is the core's
//! (`seed_core::users`, `seed_core::bulk`).

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use seed_core::bulk::{Progress, ProgressSink, Silent, StandardError};
use seed_core::session::Turn;
use seed_core::users::{self, BulkOptions, CreateUsersSummary, DeleteUsersSummary, DEFAULT_CONCURRENCY, MAX_USERS_PER_CALL};
use seed_core::{SeedError, SeedResult};

use crate::{errors, input, promise, promise_with};

/// What a bulk call's `progress` callback gets: counts so far. `created`/`existing` for
/// createUsers, `deleted`/`missing` for deleteUsers and deleteAllUsers,
/// `created`/`updated`/`skipped` for createRecords, `uploaded` for uploadFiles.
#[napi(object)]
pub struct BulkProgress {
    pub total: u32,
    pub done: u32,
    pub created: Option<u32>,
    pub existing: Option<u32>,
    pub deleted: Option<u32>,
    pub missing: Option<u32>,
    pub updated: Option<u32>,
    pub skipped: Option<u32>,
    pub uploaded: Option<u32>,
    pub failed: u32,
}

type ProgressFunction = ThreadsafeFunction<BulkProgress, (), BulkProgress, Status, false, true>;

struct JsProgress(ProgressFunction);

fn report(progress: &Progress) -> BulkProgress {
    let named = |name: &str| progress.counts.iter().find(|(n, _)| *n == name).map(|(_, c)| *c as u32);
    BulkProgress {
        total: progress.total as u32,
        done: progress.done as u32,
        created: named("created"),
        existing: named("existing"),
        deleted: named("deleted"),
        missing: named("missing"),
        updated: named("updated"),
        skipped: named("skipped"),
        uploaded: named("uploaded"),
        failed: progress.count("failed") as u32,
    }
}

impl ProgressSink for JsProgress {
    fn update(&self, progress: &Progress) {
        self.0.call(report(progress), ThreadsafeFunctionCallMode::NonBlocking);
    }
    fn finish(&self, progress: &Progress) {
        self.0.call(report(progress), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// `options`: `{ concurrency?, maxRequestsPerSecond?, progress? }`.
fn bulk_options(value: Unknown, function: &str) -> SeedResult<(BulkOptions, Arc<dyn ProgressSink>)> {
    let mut options = BulkOptions { concurrency: DEFAULT_CONCURRENCY, max_requests_per_second: None };
    if matches!(value.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null)) {
        return Ok((options, Arc::new(StandardError::new())));
    }
    let object = input::object(value, function, "options")?;
    let (concurrency, sink) = concurrency_and_progress(&object, function, DEFAULT_CONCURRENCY)?;
    options.concurrency = concurrency;
    options.max_requests_per_second = input::optional_number_property(&object, function, "options", "maxRequestsPerSecond", 0.1, 100_000.0)?;
    Ok((options, sink))
}

/// `options.concurrency` (a whole number, 1-256) and `options.progress` (`false`, `true` or a
/// callback; default: standard error), shared by every bulk export.
pub fn concurrency_and_progress(object: &Object, function: &str, default_concurrency: usize) -> SeedResult<(usize, Arc<dyn ProgressSink>)> {
    let concurrency = match input::optional_number_property(object, function, "options", "concurrency", 1.0, 256.0)? {
        Some(n) if n.fract() != 0.0 => {
            return Err(SeedError::invalid_argument(format!("{function}: options.concurrency must be a whole number.")))
        }
        Some(n) => n as usize,
        None => default_concurrency,
    };
    let sink: Arc<dyn ProgressSink> = match input::raw_property(object, function, "options", "progress")? {
        None => Arc::new(StandardError::new()),
        Some(value) => match value.get_type() {
            Ok(ValueType::Boolean) if !bool::from_unknown(value).unwrap_or(true) => Arc::new(Silent),
            Ok(ValueType::Boolean) => Arc::new(StandardError::new()),
            _ => Arc::new(JsProgress(input::callback(value, function, "options.progress")?)),
        },
    };
    Ok((concurrency, sink))
}

/// `[{ <key>: item, error }]`: the failed items of a bulk summary, each with its JS `Error`.
pub fn failed_list<'env, K: ToNapiValue>(env: &'env Env, failed: Vec<(K, SeedError)>, key: &str) -> Result<Array<'env>> {
    let mut list = env.create_array(failed.len() as u32)?;
    for (index, (name, error)) in failed.into_iter().enumerate() {
        let mut entry = Object::new(env)?;
        entry.set(key, name)?;
        entry.set("error", errors::error_object(env, &error)?)?;
        list.set(index as u32, entry)?;
    }
    Ok(list)
}

fn created_summary(env: &Env, summary: CreateUsersSummary) -> Result<Object<'_>> {
    let mut object = Object::new(env)?;
    object.set("created", summary.created)?;
    object.set("existing", summary.existing)?;
    object.set("failed", failed_list(env, summary.failed, "username")?)?;
    Ok(object)
}

fn deleted_summary(env: &Env, summary: DeleteUsersSummary) -> Result<Object<'_>> {
    let mut object = Object::new(env)?;
    object.set("deleted", summary.deleted)?;
    object.set("missing", summary.missing)?;
    object.set("failed", failed_list(env, summary.failed, "username")?)?;
    Ok(object)
}

fn list_of<'env>(value: Unknown<'env>, function: &str, field: &str) -> SeedResult<Vec<Unknown<'env>>> {
    let items = input::array(value, function, field)?;
    if items.len() > MAX_USERS_PER_CALL {
        return Err(SeedError::invalid_argument(format!(
            "{function}: {field} has {} entries; one call takes at most {MAX_USERS_PER_CALL}.",
            items.len()
        )));
    }
    Ok(items)
}

/// Creates many users at Cognito's pace; existing ones count as existing (groups still ensured).
#[napi(
    ts_args_type = "users: SeedUser[], options?: BulkOptions, prompt?: (message: string) => Promise<string>",
    ts_return_type = "Promise<CreateUsersResult>"
)]
pub fn create_users<'env>(env: &'env Env, users: Unknown<'env>, options: Unknown<'env>, prompt: Unknown<'env>) -> Result<PromiseRaw<'env, Object<'env>>> {
    const F: &str = "createUsers";
    let turn = Turn::take();
    let parsed = (|| {
        let prompt = crate::prompt(prompt, F)?;
        let options = bulk_options(options, F)?;
        let mut all_unknown = Vec::new();
        let mut list = Vec::new();
        for (index, value) in list_of(users, F, "users")?.into_iter().enumerate() {
            let (user, unknown) = crate::new_user(value, prompt.clone(), F, &format!("users[{index}]"), true)?;
            all_unknown.extend(unknown);
            list.push(user);
        }
        crate::warn_unknown_attributes(F, &all_unknown);
        Ok::<_, SeedError>((list, options))
    })();
    promise_with(
        env,
        async move {
            let _turn = turn.wait().await;
            let (list, (options, sink)) = parsed?;
            users::create_users(list, options, sink).await
        },
        created_summary,
    )
}

/// Deletes users by name; missing ones are reported as missing.
#[napi(ts_args_type = "usernames: string[], options?: BulkOptions", ts_return_type = "Promise<DeleteUsersResult>")]
pub fn delete_users<'env>(env: &'env Env, usernames: Unknown<'env>, options: Unknown<'env>) -> Result<PromiseRaw<'env, Object<'env>>> {
    const F: &str = "deleteUsers";
    let turn = Turn::take();
    let parsed = (|| {
        let mut names = Vec::new();
        for (index, value) in list_of(usernames, F, "usernames")?.into_iter().enumerate() {
            let name = input::string(value, F, &format!("usernames[{index}]"))?;
            users::validate_username(F, &format!("usernames[{index}]"), &name)?;
            names.push(name);
        }
        Ok::<_, SeedError>((names, bulk_options(options, F)?))
    })();
    promise_with(
        env,
        async move {
            let _turn = turn.wait().await;
            let (names, (options, sink)) = parsed?;
            let current = seed_core::session::current_login();
            if current.as_ref().is_some_and(|login| names.contains(login)) {
                seed_core::session::sign_out().await?;
            }
            users::delete_users(names, options, sink).await
        },
        deleted_summary,
    )
}

/// Deletes every user of the sandbox's user pool (sandboxes only).
#[napi(ts_args_type = "options?: BulkOptions", ts_return_type = "Promise<DeleteUsersResult>")]
pub fn delete_all_users<'env>(env: &'env Env, options: Unknown<'env>) -> Result<PromiseRaw<'env, Object<'env>>> {
    const F: &str = "deleteAllUsers";
    let turn = Turn::take();
    let options = bulk_options(options, F);
    promise_with(
        env,
        async move {
            let _turn = turn.wait().await;
            let (options, sink) = options?;
            seed_core::session::sign_out().await?;
            users::delete_all_users(options, sink).await
        },
        deleted_summary,
    )
}

/// The IAM policy the seed needs, as JSON: `npx ampx sandbox seed generate-policy`'s
/// statements plus the one deleting users needs.
#[napi(ts_return_type = "Promise<SeedPolicy>")]
pub fn seed_policy(env: &Env) -> Result<PromiseRaw<'_, String>> {
    promise(env, async move { users::seed_policy().await.map(|policy| policy.to_string()) })
}
