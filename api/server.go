package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one dependency /readyz asks.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Options configure the server.
type Options struct {
	Listen string
	// Listener, when set, is served instead of listening on Listen (an
	// inherited socket, or a test's listener).
	Listener net.Listener
	Logger   *slog.Logger
	Registry *prometheus.Registry
	Checks   []Check
	// Details adds named, non-failing facts to /readyz (e.g. retired
	// Graph metrics the collector met).
	Details map[string]func() any

	// MaxBodyBytes bounds every request body (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// Timeouts of the HTTP server (config api.*); zero takes the
	// defaults of config.Default.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// TrustedProxies are the addresses or CIDR ranges whose
	// X-Forwarded-For is believed; none by default, so the client address
	// is the TCP peer's and cannot be forged with a header.
	TrustedProxies []string
}

// Server is the HTTP server. Mount routes on Engine or V1 before Start.
type Server struct {
	engine *gin.Engine
	v1     *gin.RouterGroup
	srv    *http.Server
	ln     net.Listener
	log    *slog.Logger
	opts   Options

	downMu sync.Mutex
	down   map[string]bool // readiness checks down at the last probe

	bodyLimits map[string]int64 // "METHOD /route" → its own body limit
	// failed receives the error that ended Serve other than by Stop;
	// served is closed when Serve has returned.
	failed chan error
	served chan struct{}
}

// New builds the engine with logging, metrics, recovery and the probes.
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		return nil, errors.New("api: a Prometheus registry is required")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&opts.ReadHeaderTimeout, 10 * time.Second}, {&opts.ReadTimeout, 30 * time.Second},
		{&opts.WriteTimeout, 90 * time.Second}, {&opts.IdleTimeout, 2 * time.Minute}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	gin.SetMode(gin.ReleaseMode)
	m, err := newHTTPMetrics(opts.Registry)
	if err != nil {
		return nil, fmt.Errorf("register http metrics: %w", err)
	}
	e := gin.New()
	e.ContextWithFallback = true // c.Request.Context() flows into handlers' ctx use
	// Gin believes X-Forwarded-For from anyone unless told otherwise.
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	limits := map[string]int64{}
	e.Use(observe(m, opts.Logger), recoverJSON(opts.Logger), limitBody(opts.MaxBodyBytes, limits))
	e.NoRoute(func(c *gin.Context) {
		WriteError(c, NotFound("no such route: "+c.Request.Method+" "+c.Request.URL.Path))
	})
	s := &Server{engine: e, log: opts.Logger, opts: opts, failed: make(chan error, 1), bodyLimits: limits}
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry})))
	s.v1 = e.Group("/api/v1")
	return s, nil
}

// Engine is the Gin engine, for mounting pages and other routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

// V1 is the /api/v1 route group.
func (s *Server) V1() *gin.RouterGroup { return s.v1 }

// AddCheck adds a readiness check after construction.
func (s *Server) AddCheck(c Check) { s.opts.Checks = append(s.opts.Checks, c) }

// AddDetail adds a named fact shown by /readyz.
func (s *Server) AddDetail(name string, fn func() any) {
	if s.opts.Details == nil {
		s.opts.Details = map[string]func() any{}
	}
	s.opts.Details[name] = fn
}

// Start listens and serves in the background; it returns once the port
// is bound, so callers know the address is taken or free. If serving ends
// other than by Stop (the listener fails), Failed receives the error.
func (s *Server) Start(ctx context.Context) error {
	ln := s.opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.opts.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w (set HUMAS_LISTEN to a free address)", s.opts.Listen, err)
		}
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler: s.engine,
		// ReadTimeout covers the body too: a client trickling one is cut
		// off when it passes (bindJSON answers 408 if the handler was
		// reading).
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("http server on %s stopped serving: %w", ln.Addr(), err)
		}
	}()
	s.log.Info("http server listening", "addr", ln.Addr().String())
	return nil
}

// Addr is the bound address (useful with port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Failed receives the error that ended serving after Start, other than
// Stop: the process should stop (the run group in cmd/humas does).
func (s *Server) Failed() <-chan error { return s.failed }

// Stop stops accepting and waits for requests in flight, and for the
// serving goroutine, until ctx ends.
func (s *Server) Stop(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	select {
	case <-s.served:
	case <-ctx.Done():
		return errors.Join(err, fmt.Errorf("http server stop: %w", ctx.Err()))
	}
	return err
}
