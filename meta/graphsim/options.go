package graphsim

import (
	"log/slog"
	"time"
)

// Options configures a Sim. Zero values take the defaults noted.
type Options struct {
	// Clock is the simulated time (default time.Now).
	Clock func() time.Time
	// Seed makes ids, faults and the audience deterministic.
	Seed int64
	// AppID and AppSecret identify the app: the app token is AppID|AppSecret
	// and appsecret_proof is checked against AppSecret when present.
	AppID, AppSecret string
	// RequireProof rejects calls without appsecret_proof ("Require App Secret").
	RequireProof bool

	// IGReadyDelay is how long an image container stays IN_PROGRESS (default 5 s);
	// IGVideoReadyDelay the same for video (reels, video stories and items; default 60 s).
	IGReadyDelay, IGVideoReadyDelay time.Duration
	// FBVideoReadyDelay is how long a Page video (POST /{page}/videos) stays
	// processing (default 60 s). Until then its post is not in /{page}/posts
	// (or /feed, /published_posts); the video is in /{page}/videos at once.
	FBVideoReadyDelay time.Duration
	// ContainerTTL is when a container expires (default 24 h).
	ContainerTTL time.Duration
	// DailyPublishQuota is the enforced IG publishes per rolling 24 h (default 50);
	// ReportedQuotaTotal is what content_publishing_limit reports (default the same).
	DailyPublishQuota, ReportedQuotaTotal int
	// MaxPageLimit caps a list page's size (default 100); DefaultPageLimit is
	// the size without limit= (default 25).
	MaxPageLimit, DefaultPageLimit int
	// ScheduleMin and ScheduleMax bound scheduled_publish_time ahead of now.
	// Defaults are the stricter observed window: 20 min and 29 days.
	ScheduleMin, ScheduleMax time.Duration
	// UsagePerCall is the usage percentage each call adds for its object and
	// the app (default 0.1); usage drains fully over UsageWindow (default 1 h).
	UsagePerCall float64
	UsageWindow  time.Duration
	// InsightsDelay is the age before a post's insights exist; younger posts
	// answer insights with empty data (default 10 min).
	InsightsDelay time.Duration
	// DuplicateWindow is how far back an identical feed message is a duplicate (506; default 24 h).
	DuplicateWindow time.Duration
	// PublicURL is the base of paging URLs (default http://<request Host>).
	PublicURL string
	// Faults injects failures at random (see also Sim.InjectFault).
	Faults FaultOptions
	// Logger receives debug logs (default discard).
	Logger *slog.Logger
}

// FaultOptions makes a fraction of calls fail. Rates are in [0,1].
type FaultOptions struct {
	// TransientRate: answer code 1 (HTTP 500), code 2 (HTTP 503) or a bare
	// HTTP 502, without performing the call.
	TransientRate float64
	// LostAnswerRate: perform the call, then close the connection without answering.
	LostAnswerRate float64
	// TimeoutRate: hang (until the client gives up or TimeoutDelay), without performing the call.
	TimeoutRate float64
	// BatchNullRate: a batch entry answers null without being performed.
	BatchNullRate float64
	// TimeoutDelay bounds a hang (default 30 s; ends when the client disconnects).
	TimeoutDelay time.Duration
	// Endpoints restricts random faults to these endpoint labels (empty: all).
	Endpoints []string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.IGReadyDelay, 5*time.Second)
	def(&o.IGVideoReadyDelay, 60*time.Second)
	def(&o.FBVideoReadyDelay, 60*time.Second)
	def(&o.ContainerTTL, 24*time.Hour)
	def(&o.ScheduleMin, 20*time.Minute)
	def(&o.ScheduleMax, 29*24*time.Hour)
	def(&o.UsageWindow, time.Hour)
	def(&o.InsightsDelay, 10*time.Minute)
	def(&o.DuplicateWindow, 24*time.Hour)
	def(&o.Faults.TimeoutDelay, 30*time.Second)
	if o.DailyPublishQuota <= 0 {
		o.DailyPublishQuota = 50
	}
	if o.ReportedQuotaTotal <= 0 {
		o.ReportedQuotaTotal = o.DailyPublishQuota
	}
	if o.MaxPageLimit <= 0 {
		o.MaxPageLimit = 100
	}
	if o.DefaultPageLimit <= 0 {
		o.DefaultPageLimit = 25
	}
	if o.UsagePerCall <= 0 {
		o.UsagePerCall = 0.1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
