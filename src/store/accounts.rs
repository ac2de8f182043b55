//! A person's Google accounts. The person is the account they first signed in with (their user
//! id, in cookies and tool URLs); every account they add keeps a grant row of its own (its own
//! encrypted token and scopes, see [`super::grants`]) that names the person in `person_id`. One
//! of them is primary: new events go there.

use sqlx::Row;

use super::{Store, StoreError, now_i64};
use crate::scopes::Granted;
use crate::secret::Secret;

/// One of a person's Google accounts, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its address (the key of its grant).
    pub email: String,
    /// Whether new events go to it.
    pub primary: bool,
    /// Whether a usable refresh token is stored for it.
    pub connected: bool,
    /// The scopes Google granted it.
    pub scope: Granted,
}

/// What adding an account to a person found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linked {
    /// It is one of the person's accounts now (or was already).
    Added,
    /// It belongs to another person, or is a person with accounts of their own: nothing stored.
    Taken,
}

impl Store {
    /// The person's accounts: the one they signed in with first, then the others in the order
    /// they were added. Empty when the person is unknown.
    pub async fn accounts(&self, person: &str) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.user_id, g.refresh_token, g.scope, p.primary_account
             FROM google_grants g JOIN google_grants p ON p.user_id = $1
             WHERE (g.user_id = $1 AND g.account_removed = 0) OR g.person_id = $1
             ORDER BY CASE WHEN g.user_id = $1 THEN 0 ELSE 1 END, g.created_at, g.user_id",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        let listed = |email: &str| rows.iter().any(|r| r.get::<String, _>("user_id") == email);
        // The one chosen, else the person's own, else (their own removed) the first added.
        let primary = rows
            .first()
            .and_then(|r| r.get::<Option<String>, _>("primary_account"))
            .filter(|chosen| listed(chosen))
            .or_else(|| listed(person).then(|| person.to_owned()))
            .or_else(|| rows.first().map(|r| r.get::<String, _>("user_id")))
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| {
                let email: String = r.get("user_id");
                Account {
                    primary: email == primary,
                    connected: r
                        .get::<Option<Vec<u8>>, _>("refresh_token")
                        .is_some_and(|sealed| self.cipher.open(&email, &sealed).is_ok()),
                    scope: Granted::new(r.get::<String, _>("scope")),
                    email,
                }
            })
            .collect())
    }

    /// The person whose account `email` is: the person who added it, else itself when it is
    /// stored, else nobody.
    pub async fn person_of(&self, email: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(person_id, user_id) FROM google_grants WHERE user_id = $1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Stores `email`'s grant as one of `person`'s accounts, in one statement. An account that
    /// signed in on its own before (a person without accounts of their own) joins: its own
    /// cookies stop working. One that belongs to another person, or has accounts added to it,
    /// is [`Linked::Taken`] and nothing is stored.
    pub async fn add_account(
        &self,
        person: &str,
        email: &str,
        refresh_token: &Secret,
        scope: &str,
    ) -> Result<Linked, StoreError> {
        let blob = self.cipher.encrypt(email, refresh_token);
        let stored: Option<String> = sqlx::query_scalar(
            "INSERT INTO google_grants
                 (user_id, email, refresh_token, scope, created_at, updated_at, session_epoch,
                  person_id)
             VALUES ($1, $1, $2, $3, $4, $4, $5, $6)
             ON CONFLICT (user_id) DO UPDATE SET
                 refresh_token = excluded.refresh_token,
                 scope = excluded.scope,
                 updated_at = excluded.updated_at,
                 session_epoch = CASE WHEN google_grants.person_id IS NULL
                                      THEN excluded.session_epoch
                                      ELSE google_grants.session_epoch END,
                 person_id = excluded.person_id,
                 primary_account = NULL
             WHERE google_grants.person_id = excluded.person_id
                OR (google_grants.person_id IS NULL
                    AND NOT EXISTS (SELECT 1 FROM google_grants o
                                    WHERE o.person_id = google_grants.user_id))
             RETURNING user_id",
        )
        .bind(email)
        .bind(blob)
        .bind(scope)
        .bind(now_i64())
        .bind(super::grants::random_epoch())
        .bind(person)
        .fetch_optional(&self.pool)
        .await?;
        Ok(if stored.is_some() {
            Linked::Added
        } else {
            Linked::Taken
        })
    }

    /// Makes `email`, one of `person`'s accounts, the one new events go to. Returns whether it
    /// is one of theirs.
    pub async fn set_primary_account(&self, person: &str, email: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE google_grants SET primary_account = $2, updated_at = $3
             WHERE user_id = $1
               AND (($2 = $1 AND account_removed = 0)
                    OR EXISTS (SELECT 1 FROM google_grants o
                               WHERE o.user_id = $2 AND o.person_id = $1))",
        )
        .bind(person)
        .bind(email)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes the account `person` signed in with, while they keep others: its token goes,
    /// its row stays for their sign-in (their cookies and tool URLs name it), and it is no longer
    /// listed nor read. Signing in with it again brings it back. Returns whether it was theirs.
    pub async fn remove_own_account(&self, person: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE google_grants
             SET refresh_token = NULL, account_removed = 1, updated_at = $2,
                 primary_account = CASE WHEN primary_account = user_id THEN NULL
                                        ELSE primary_account END
             WHERE user_id = $1 AND person_id IS NULL",
        )
        .bind(person)
        .bind(now_i64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether `person` removed the account they signed in with (see
    /// [`Self::remove_own_account`]).
    pub async fn own_account_removed(&self, person: &str) -> Result<bool, StoreError> {
        let removed: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(account_removed AS BIGINT) FROM google_grants WHERE user_id = $1",
        )
        .bind(person)
        .fetch_optional(&self.pool)
        .await?;
        Ok(removed.unwrap_or(0) != 0)
    }

    /// Deletes the grant of `email`, an account `person` added (never the person's own, whose
    /// row holds their sign-in). When it was primary, the person's own account is again.
    /// Returns whether there was one.
    pub async fn remove_account(&self, person: &str, email: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM google_grants WHERE user_id = $2 AND person_id = $1")
            .bind(person)
            .bind(email)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "UPDATE google_grants SET primary_account = NULL
             WHERE user_id = $1 AND primary_account = $2",
        )
        .bind(person)
        .bind(email)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
