//! Calls at the pace Cognito allows. Cognito's request-rate quotas are per account and region,
//! shared by every user pool (so by every sandbox of the account), one quota per category of
//! operation ("Quotas in Amazon Cognito"). Above a quota Cognito answers
//! `TooManyRequestsException`.
//!
//! Each category gets a lane that spaces its calls evenly at a rate: at most the category's
//! default quota (or the script's own cap), halved when Cognito throttles, raised again by a
//! fifth each second the service keeps answering. A throttled call is sent again once its lane
//! has a slot for it: a throttle is never a failure. No fixed sleeps: a lane only waits for its
//! next slot.

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
/// The slowest a lane gets, as a share of its ceiling.
const FLOOR_SHARE: f64 = 0.02;
/// A lane's rate rises by this factor per second without a throttle.
const RECOVERY_PER_SECOND: f64 = 1.2;

/// One category's pace.
#[derive(Debug)]
struct Lane {
    ceiling: f64,
    rate: f64,
    /// When the next call may go.
    next: Instant,
    /// Since when the lane has not been throttled (or last raised its rate).
    calm_since: Instant,
}

impl Lane {
    fn new(ceiling: f64, now: Instant) -> Lane {
        Lane { ceiling, rate: ceiling, next: now, calm_since: now }
    }

    /// The time of the next free slot, which is taken.
    fn reserve(&mut self, now: Instant) -> Instant {
        let at = self.next.max(now);
        self.next = at + Duration::from_secs_f64(1.0 / self.rate);
        at
    }

    fn answered(&mut self, now: Instant) {
        if self.rate < self.ceiling && now.duration_since(self.calm_since) >= Duration::from_secs(1) {
            self.rate = (self.rate * RECOVERY_PER_SECOND).min(self.ceiling);
            self.calm_since = now;
        }
    }

    fn throttled(&mut self, now: Instant) {
        self.rate = (self.rate / 2.0).max(self.ceiling * FLOOR_SHARE);
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
    /// Lanes at the default quotas, each capped at `max_requests_per_second` when given.
    pub fn new(max_requests_per_second: Option<f64>) -> Pacer {
        let now = Instant::now();
        let lanes = QUOTAS
            .iter()
            .map(|quota| {
                let ceiling = match max_requests_per_second {
                    Some(cap) => quota.default_rate().min(cap),
                    None => quota.default_rate(),
                };
                Mutex::new(Lane::new(ceiling, now))
            })
            .collect();
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
        let mut lane = Lane::new(25.0, now);
        let slots: Vec<Duration> = (0..4).map(|_| lane.reserve(now).duration_since(now)).collect();
        assert_eq!(slots, [0, 40, 80, 120].map(Duration::from_millis));
    }

    #[test]
    fn a_throttle_halves_the_rate_and_calm_seconds_win_it_back_up_to_the_ceiling() {
        let now = Instant::now();
        let mut lane = Lane::new(50.0, now);
        lane.throttled(now);
        assert_eq!(lane.rate, 25.0);
        lane.throttled(now);
        assert_eq!(lane.rate, 12.5);
        lane.answered(now + Duration::from_millis(500));
        assert_eq!(lane.rate, 12.5, "not within a second of the throttle");
        let mut t = now;
        for _ in 0..10 {
            t += Duration::from_secs(1);
            lane.answered(t);
        }
        assert_eq!(lane.rate, 50.0, "back to the ceiling, never above");
        for _ in 0..20 {
            lane.throttled(now);
        }
        assert_eq!(lane.rate, 1.0, "never below 2% of the ceiling");
    }

    #[test]
    fn the_scripts_cap_lowers_every_ceiling_above_it() {
        let pacer = Pacer::new(Some(30.0));
        assert_eq!(pacer.rate(Quota::UserCreation), 30.0);
        assert_eq!(pacer.rate(Quota::UserResourceUpdate), 25.0);
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
            assert_eq!(pacer.rate(Quota::UserCreation), 6.25, "halved three times");

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
