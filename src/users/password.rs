//! Password policy and bcrypt hashing. Hashing and verifying cost ~66-280 ms of CPU, so
//! they only ever run on the blocking pool.

use zeroize::Zeroizing;

use super::UserError;

const COMMON: &str = include_str!("common-passwords.txt");
pub const MIN_CHARS: usize = 12;
/// bcrypt ignores everything past 72 bytes; refusing longer input beats silently truncating.
pub const MAX_BYTES: usize = 72;

/// A password that passed the policy for a given user.
pub struct Password(Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Checks the policy: at least 12 characters, at most 72 bytes, not the username, not
    /// one of the 10,000 most common passwords.
    pub fn new(candidate: &str, username: &str) -> Result<Self, UserError> {
        if candidate.chars().count() < MIN_CHARS {
            return Err(UserError::PasswordTooShort);
        }
        if candidate.len() > MAX_BYTES {
            return Err(UserError::PasswordTooLong(candidate.len()));
        }
        let lower = candidate.to_lowercase();
        if lower == username.to_lowercase() {
            return Err(UserError::PasswordIsUsername);
        }
        if COMMON.lines().any(|l| l == lower) {
            return Err(UserError::PasswordTooCommon);
        }
        Ok(Self(Zeroizing::new(candidate.to_string())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A random password of `len` characters from an unambiguous alphabet.
pub fn generate(len: usize) -> Result<Zeroizing<String>, UserError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = Zeroizing::new(String::with_capacity(len));
    let mut byte = [0u8; 1];
    while out.len() < len {
        getrandom::fill(&mut byte).map_err(|_| UserError::Random)?;
        // Rejection sampling keeps every character equally likely.
        if (byte[0] as usize) < 256 - 256 % ALPHABET.len() {
            out.push(ALPHABET[byte[0] as usize % ALPHABET.len()] as char);
        }
    }
    Ok(out)
}

/// Hashes on the blocking pool.
pub async fn hash(password: &Password, cost: u32) -> Result<String, UserError> {
    let secret = password.0.clone();
    crate::blocking::run(move || bcrypt::hash(secret.as_bytes(), cost))
        .await
        .map_err(|e| UserError::Hash(e.to_string()))?
        .map_err(|e| UserError::Hash(e.to_string()))
}

/// Verifies on the blocking pool; a malformed stored hash counts as a mismatch.
pub async fn verify(candidate: &str, hash: String) -> Result<bool, UserError> {
    let secret = Zeroizing::new(candidate.to_string());
    crate::blocking::run(move || bcrypt::verify(secret.as_bytes(), &hash).unwrap_or(false))
        .await
        .map_err(|e| UserError::Hash(e.to_string()))
}
