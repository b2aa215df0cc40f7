package graphsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Start serves a new simulator on addr (use "127.0.0.1:0" for a free
// loopback port). It returns the base URL to give meta.Options.BaseURL, the
// simulator (for admin calls such as SetupDemo), and stop, which shuts the
// server down. The server also stops when ctx is done.
func Start(ctx context.Context, addr string, opts Options) (baseURL string, sim *Sim, stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, nil, fmt.Errorf("graphsim: listen %s: %w", addr, err)
	}
	baseURL = "http://" + ln.Addr().String()
	if opts.PublicURL == "" {
		opts.PublicURL = baseURL
	}
	sim = New(opts)
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			sim.opt.Logger.Error("graphsim server stopped", "err", err)
		}
	}()
	stopCtx, cancel := context.WithCancel(ctx)
	go func() {
		<-stopCtx.Done()
		if ctx.Err() != nil {
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			_ = srv.Shutdown(sctx)
		}
	}()
	stop = func(sctx context.Context) error {
		defer cancel()
		err := srv.Shutdown(sctx)
		select {
		case <-done:
		case <-sctx.Done():
		}
		if err != nil {
			return fmt.Errorf("graphsim: shutdown: %w", err)
		}
		return nil
	}
	return baseURL, sim, stop, nil
}
