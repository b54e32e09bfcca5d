//! What an account must do at sign-in before anything else (issue 15): replace a password someone else chose (a
//! new account, a reset from the command line), and set up a second factor again after an administrator removed
//! it. Until then every staff page leads to the account page, where both are done; nothing clinical is shown to
//! a sign-in that may be someone else's.

use alliance_store::User;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    ChangePassword,
    SetUpSecondFactor,
}

impl Step {
    /// The step the user takes first, if any: the password before the second factor (setting one up asks for it).
    pub fn first(user: &User) -> Option<Step> {
        if user.must_change_password {
            Some(Step::ChangePassword)
        } else if user.must_enrol_second_factor {
            Some(Step::SetUpSecondFactor)
        } else {
            None
        }
    }

    /// What the account page asks, in the user's words: the message's id.
    pub fn request(self) -> &'static str {
        match self {
            Step::ChangePassword => "account-step-password",
            Step::SetUpSecondFactor => "account-step-second-factor",
        }
    }
}

/// The routes open while a step is pending: the account page and what is done on it, and signing out.
const OPEN_DURING_A_STEP: &[&str] = &[
    "/account",
    "/account/password",
    "/account/totp/new",
    "/account/totp/confirm",
    "/account/recovery-codes",
    "/account/sign-out-everywhere",
    "/logout",
];

pub fn open_during_a_step(path: &str) -> bool {
    OPEN_DURING_A_STEP.contains(&path)
}
