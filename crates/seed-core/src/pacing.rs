//! Calls at the pace Cognito allows. Cognito's request-rate quotas are per account and region,
//! shared by every user pool (so by every sandbox of the account), one quota per category of
//! operation ("Quotas in Amazon Cognito"); above a quota Cognito answers
//! `TooManyRequestsException`. Quotas can be raised per account, so the defaults are where a
//! lane starts, not a limit.
//!
//! Each category gets a lane that spaces its calls evenly at a rate: it starts at the
//! category's default quota and doubles while Cognito keeps answering, until the first throttle
//! (or the script's `maxRequestsPerSecond`); from then on it grows 2% a second, and a throttle
//! cuts it to 90% of what Cognito answered in the last second (by a fifth at least). A throttled call is sent again once its lane has a slot for it: a
//! throttle is never a failure. No fixed sleeps: a lane only waits for its next slot.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::AwsCause;

/// Cognito's quota categories a seed touches, with their default rates (requests per second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// AdminCreateUser, SignUp, ... (50)
    UserCreation,
    /// InitiateAuth (120)
    UserAuthentication,
    /// RespondToAuthChallenge: three times UserAuthentication (360)
    ChallengeResponse,
    /// AdminDeleteUser, SetUserMFAPreference, Associate/VerifySoftwareToken, ... (25)
    UserUpdate,
    /// AdminAddUserToGroup, ConfirmDevice, ... (25)
    UserResourceUpdate,
    /// ListUsers (30)
    UserList,
    /// RevokeToken (120)
    UserToken,
}

const QUOTAS: [Quota; 7] = [
    Quota::UserCreation,
    Quota::UserAuthentication,
    Quota::ChallengeResponse,
    Quota::UserUpdate,
    Quota::UserResourceUpdate,
    Quota::UserList,
    Quota::UserToken,
];

impl Quota {
    pub fn default_rate(self) -> f64 {
        match self {
            Quota::UserCreation => 50.0,
            Quota::UserAuthentication | Quota::UserToken => 120.0,
            Quota::ChallengeResponse => 360.0,
            Quota::UserUpdate | Quota::UserResourceUpdate => 25.0,
            Quota::UserList => 30.0,
        }
    }

    fn index(self) -> usize {
        QUOTAS.iter().position(|q| *q == self).expect("every quota is listed")
    }
}

/// How often one call may be throttled before it counts as failed: Cognito keeps answering
/// `TooManyRequestsException` only when something else uses the whole quota.
const MAX_THROTTLES_PER_CALL: u32 = 30;
/// The slowest a lane gets, as a share of its category's default quota.
const FLOOR_SHARE: f64 = 0.02;
/// The fastest a lane ever gets (requests per second), whatever the service takes.
const TOP_RATE: f64 = 100_000.0;
/// Until Cognito first throttles a lane, it doubles the lane's rate every PROBE_STEP: the
/// default quota is only where it starts, an account may have raised it.
const PROBE_STEP: Duration = Duration::from_millis(250);
/// After that, the rate grows by this factor per second while Cognito answers...
const GROWTH_PER_SECOND: f64 = 1.02;
/// ...and a throttle multiplies it by BACK_OFF at least, once per BACK_OFF_WINDOW: calls sent
/// at the old pace come back throttled together, and count as one signal.
const BACK_OFF: f64 = 0.8;
const BACK_OFF_WINDOW: Duration = Duration::from_millis(500);
/// A back-off goes no higher than this share of what the service answered in the last second.
const GOODPUT_SHARE: f64 = 0.9;

/// One category's pace.
#[derive(Debug)]
struct Lane {
    /// The script's cap (`maxRequestsPerSecond`), if any.
    ceiling: f64,
    floor: f64,
    rate: f64,
    /// When the next call may go.
    next: Instant,
    /// Since when the rate has not changed.
    calm_since: Instant,
    /// No throttle seen yet: still finding out how fast the account may go.
    probing: bool,
    last_back_off: Option<Instant>,
    /// Calls answered in the current second and in the one before: what the service really
    /// took, to back off to when it throttles.
    second_started: Instant,
    answered_this_second: u32,
    answered_last_second: u32,
}

impl Lane {
    fn new(default_rate: f64, cap: Option<f64>, now: Instant) -> Lane {
        let ceiling = cap.unwrap_or(TOP_RATE).min(TOP_RATE);
        Lane {
            ceiling,
            floor: (default_rate * FLOOR_SHARE).min(ceiling),
            rate: default_rate.min(ceiling),
            next: now,
            calm_since: now,
            probing: true,
            last_back_off: None,
            second_started: now,
            answered_this_second: 0,
            answered_last_second: 0,
        }
    }

    /// The time of the next free slot, which is taken.
    fn reserve(&mut self, now: Instant) -> Instant {
        let at = self.next.max(now);
        self.next = at + Duration::from_secs_f64(1.0 / self.rate);
        at
    }

    fn answered(&mut self, now: Instant) {
        let second = now.duration_since(self.second_started);
        if second >= Duration::from_secs(1) {
            self.answered_last_second = if second < Duration::from_secs(2) { self.answered_this_second } else { 0 };
            self.answered_this_second = 0;
            self.second_started = now;
        }
        self.answered_this_second += 1;
        let calm = now.duration_since(self.calm_since);
        if self.probing && calm >= PROBE_STEP {
            self.rate = (self.rate * 2.0).min(self.ceiling);
            self.calm_since = now;
        } else if !self.probing && calm >= Duration::from_secs(1) {
            self.rate = (self.rate * GROWTH_PER_SECOND.powf(calm.as_secs_f64())).min(self.ceiling);
            self.calm_since = now;
        }
    }

    /// Calls answered per second lately: this second so far, once a quarter of it has passed,
    /// else the last one.
    fn goodput(&self, now: Instant) -> f64 {
        let into_second = now.duration_since(self.second_started).as_secs_f64();
        if into_second >= 0.25 {
            f64::from(self.answered_this_second) / into_second.min(1.0)
        } else {
            f64::from(self.answered_last_second)
        }
    }

    fn throttled(&mut self, now: Instant) {
        self.probing = false;
        if self.last_back_off.is_none_or(|at| now.duration_since(at) >= BACK_OFF_WINDOW) {
            // What the service took in the last second is what it allows now (a probe may have
            // overshot it many times over).
            let taken = self.goodput(now) * GOODPUT_SHARE;
            let backed_off = if taken > 0.0 { (self.rate * BACK_OFF).min(taken) } else { self.rate * BACK_OFF };
            self.rate = backed_off.max(self.floor);
            self.last_back_off = Some(now);
        }
        self.calm_since = now;
        // What was already reserved at the old pace is pushed back too.
        self.next = self.next.max(now + Duration::from_secs_f64(1.0 / self.rate));
    }
}

/// The lanes of one bulk run.
#[derive(Debug)]
pub struct Pacer {
    lanes: Vec<Mutex<Lane>>,
}

impl Pacer {
    /// Lanes starting at the default quotas, none above `max_requests_per_second` when given.
    pub fn new(max_requests_per_second: Option<f64>) -> Pacer {
        let now = Instant::now();
        let lanes = QUOTAS.iter().map(|quota| Mutex::new(Lane::new(quota.default_rate(), max_requests_per_second, now))).collect();
        Pacer { lanes }
    }

    fn lane(&self, quota: Quota) -> std::sync::MutexGuard<'_, Lane> {
        self.lanes[quota.index()].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current rate of a category (requests per second).
    pub fn rate(&self, quota: Quota) -> f64 {
        self.lane(quota).rate
    }

    /// Runs `call` in `quota`'s lane, sending it again while Cognito throttles it.
    pub async fn call<T, F, Fut>(&self, quota: Quota, mut call: F) -> Result<T, AwsCause>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AwsCause>>,
    {
        let mut throttles = 0;
        loop {
            let at = self.lane(quota).reserve(Instant::now());
            tokio::time::sleep_until(at).await;
            match call().await {
                Err(cause) if is_throttle(&cause) && throttles < MAX_THROTTLES_PER_CALL => {
                    throttles += 1;
                    self.lane(quota).throttled(Instant::now());
                }
                Err(cause) if is_throttle(&cause) => return Err(cause),
                outcome => {
                    self.lane(quota).answered(Instant::now());
                    return outcome;
                }
            }
        }
    }
}

/// Cognito's (and the SDK's) names for "slow down".
pub fn is_throttle(cause: &AwsCause) -> bool {
    matches!(cause.name.as_str(), "TooManyRequestsException" | "ThrottlingException" | "Throttling" | "LimitExceededException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lane_spaces_calls_at_its_rate() {
        let now = Instant::now();
        let mut lane = Lane::new(25.0, None, now);
        let slots: Vec<Duration> = (0..4).map(|_| lane.reserve(now).duration_since(now)).collect();
        assert_eq!(slots, [0, 40, 80, 120].map(Duration::from_millis));
    }

    /// Calls as fast as the lane lets them go, against a token bucket like Cognito's quota
    /// (`limit` a second, a second's worth of burst): (calls answered per second over the
    /// last `measured` seconds, throttles in all). Simulated time: nothing sleeps.
    fn against_quota(limit: f64, cap: Option<f64>, seconds: u64, measured: u64) -> (f64, u32) {
        let start = Instant::now();
        let mut lane = Lane::new(25.0, cap, start);
        let (mut tokens, mut filled_at) = (limit, start);
        let (mut answered, mut throttles) = (0u32, 0u32);
        let measure_from = start + Duration::from_secs(seconds - measured);
        let end = start + Duration::from_secs(seconds);
        loop {
            // A backlog of calls: each goes at the lane's next slot.
            let at = lane.reserve(lane.next);
            if at >= end {
                break;
            }
            tokens = (tokens + at.duration_since(filled_at).as_secs_f64() * limit).min(limit);
            filled_at = at;
            if tokens >= 1.0 {
                tokens -= 1.0;
                lane.answered(at);
                if at >= measure_from {
                    answered += 1;
                }
            } else {
                throttles += 1;
                lane.throttled(at);
            }
        }
        (f64::from(answered) / measured as f64, throttles)
    }

    #[test]
    fn at_a_quota_the_lane_settles_just_below_it() {
        for limit in [25.0, 50.0, 120.0] {
            let (rate, throttles) = against_quota(limit, None, 120, 100);
            assert!(rate >= 0.9 * limit && rate <= 1.05 * limit, "{rate}/s against {limit}/s");
            // Each throttle is one call sent again: at most 2% of the calls.
            assert!(f64::from(throttles) <= 0.02 * limit * 120.0, "{throttles} throttles in 2 minutes against {limit}/s");
        }
        // A raised quota is found: far above the default 25.
        let (rate, _) = against_quota(400.0, None, 60, 40);
        assert!(rate >= 0.9 * 400.0, "{rate}/s against a raised 400/s");
    }

    #[test]
    fn the_scripts_cap_is_never_passed() {
        let (rate, throttles) = against_quota(1000.0, Some(30.0), 30, 20);
        assert!(rate <= 30.0 + 0.1 && rate >= 29.0, "{rate}");
        assert_eq!(throttles, 0);
        let (rate, throttles) = against_quota(25.0, Some(10.0), 30, 20);
        assert!((9.5..=10.1).contains(&rate), "{rate}");
        assert_eq!(throttles, 0);
    }

    #[test]
    fn a_throttle_burst_backs_off_once_and_the_floor_holds() {
        let now = Instant::now();
        let mut lane = Lane::new(50.0, None, now);
        for _ in 0..16 {
            lane.throttled(now);
        }
        assert_eq!(lane.rate, 40.0, "sixteen throttles at once are one signal");
        let mut t = now;
        for _ in 0..200 {
            t += BACK_OFF_WINDOW;
            lane.throttled(t);
        }
        assert_eq!(lane.rate, 1.0, "never below 2% of the default quota");
        assert!(Pacer::new(Some(30.0)).rate(Quota::UserCreation) <= 30.0);
        assert_eq!(Pacer::new(None).rate(Quota::ChallengeResponse), 360.0);
    }

    #[test]
    fn throttled_calls_are_sent_again_and_other_errors_are_not() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            let pacer = Pacer::new(None);
            let mut attempts = 0;
            let answer = pacer
                .call(Quota::UserCreation, || {
                    attempts += 1;
                    let throttled = attempts <= 3;
                    async move {
                        if throttled {
                            Err(AwsCause { name: "TooManyRequestsException".into(), message: "Rate exceeded".into() })
                        } else {
                            Ok(7)
                        }
                    }
                })
                .await;
            assert_eq!(answer.unwrap(), 7);
            assert_eq!(attempts, 4);
            assert!(pacer.rate(Quota::UserCreation) < 50.0, "backed off");

            let mut calls = 0;
            let failed: Result<(), AwsCause> = pacer
                .call(Quota::UserList, || {
                    calls += 1;
                    async { Err(AwsCause { name: "InvalidParameterException".into(), message: "m".into() }) }
                })
                .await;
            assert!(failed.is_err());
            assert_eq!(calls, 1);
        });
    }
}
