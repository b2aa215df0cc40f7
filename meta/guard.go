package meta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// ErrWriteRefused wraps the error of a WriteGuard that kept a write from
// being sent.
var ErrWriteRefused = errors.New("not sent")

// WriteGuard is asked just before each Graph call that may change the
// platform (a POST that is not a batch of reads) is sent; an error keeps
// the call from being sent, and the call returns it wrapped. The scheduler
// uses it to confirm, right before a publish, that its claim on the
// delivery still holds (another replica may have taken it over).
type WriteGuard func(ctx context.Context) error

type writeGuardKey struct{}

// WithWriteGuard returns ctx with g asked before every write made with it.
// A refused write returns an error that wraps ErrWriteRefused and g's.
func WithWriteGuard(ctx context.Context, g WriteGuard) context.Context {
	return context.WithValue(ctx, writeGuardKey{}, g)
}

// checkWrite runs the write guard of ctx, if any, before req is sent.
func checkWrite(ctx context.Context, req request) error {
	if req.method == http.MethodGet || req.idempotent {
		return nil
	}
	g, _ := ctx.Value(writeGuardKey{}).(WriteGuard)
	if g == nil {
		return nil
	}
	if err := g(ctx); err != nil {
		return fmt.Errorf("meta: %s: %w: %w", req.endpoint, ErrWriteRefused, err)
	}
	return nil
}
