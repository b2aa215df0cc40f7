package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/humas-id/humas/auth"
)

// Audit log entities written by this package.
const (
	entityUnit    = "unit"
	entityChannel = "channel"
)

// audit appends one line to the audit log in tx, acting for the principal
// in ctx (auth.Actor: "system" when there is none). Callers never pass a
// token in detail: a token change is logged as the fact that it changed.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, at time.Time, entity string, id int64, action, from, to string, detail any) error {
	return auth.AppendAudit(ctx, tx, at, auth.AuditRecord{Actor: auth.Actor(ctx), Entity: entity, EntityID: id,
		Action: action, From: from, To: to, Detail: detail})
}

// inTx runs fn in a transaction; typed errors (validation, conflict, not
// found) pass through as they are, others are wrapped with what.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		var ce *ConflictError
		if errors.As(err, &ce) || errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
