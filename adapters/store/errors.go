package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/whisper-schools/whisper/domain"
)

// translate gives driver errors a domain kind at the edge of the store, so
// that nothing above it knows which database runs underneath. Errors that
// are already classified pass through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &domain.Error{Kind: domain.KindNotFound, Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the request took too long"), Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == sqlstateArchived:
			return archivedError(err)
		case pgErr.Code == sqlstateErased, pgErr.Code == "23514" && pgErr.ConstraintName == "interactions_erased_holds_nothing":
			return erasedError(err)
		}
		switch pgErr.Code {
		case "23505":
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("that already exists"), Err: err}
		case "23503":
			return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("that refers to something that does not exist"), Err: err}
		case "23514", "22001", "22P02":
			return &domain.Error{Kind: domain.KindInvalid, Err: err}
		case "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300":
			return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the database is busy"), Err: err}
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			// Raised by the triggers that keep erasure final, and by the
			// one that keeps reports out of archived inboxes.
			if strings.Contains(liteErr.Error(), "archived:") {
				return archivedError(err)
			}
			return erasedError(err)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("that already exists"), Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("that refers to something that does not exist"), Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &domain.Error{Kind: domain.KindInvalid, Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the database is busy"), Err: err}
		}
	}
	return err
}

// sqlstateErased is the SQLSTATE of the PostgreSQL triggers that keep
// erasure final (migration 20261204000007).
const sqlstateErased = "WE001"

// sqlstateArchived is the SQLSTATE of the PostgreSQL trigger that keeps
// new reports out of archived inboxes (migration 20261205000022).
const sqlstateArchived = "WE002"

// archivedError is the database refusing a report for an archived inbox.
func archivedError(err error) error {
	return &domain.Error{Kind: domain.ErrInboxArchived.Kind, Safe: domain.ErrInboxArchived.Safe, Err: errors.Join(domain.ErrInboxArchived, err)}
}

// erasedError is the database refusing personal data for an erased
// interaction: domain.ErrErased, with the driver's error as the cause.
func erasedError(err error) error {
	return &domain.Error{Kind: domain.ErrErased.Kind, Safe: domain.ErrErased.Safe, Err: errors.Join(domain.ErrErased, err)}
}

// retryable says whether InTx should run the transaction again: only for
// PostgreSQL's serialisation failures and deadlocks, which a new attempt
// resolves.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}
