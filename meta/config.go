package meta

import (
	"log/slog"

	"github.com/humas-id/humas/config"
)

// OptionsFromConfig turns the graph section of humas's configuration into
// client options; callers add their own hooks (OnResponse, HTTPClient).
func OptionsFromConfig(cfg config.Graph, log *slog.Logger) Options {
	gm := cfg.Metrics
	return Options{
		BaseURL:   cfg.URL,
		Version:   cfg.Version,
		AppID:     cfg.AppID,
		AppSecret: cfg.AppSecret.Reveal(),
		Timeout:   cfg.Timeout.D(),
		Logger:    log,
		Metrics: MetricNames{
			FBReach: gm.FacebookReach, FBViews: gm.FacebookViews, FBClicks: gm.FacebookClicks,
			FBReactionsByType: gm.FacebookReactions,
			IGReach:           gm.InstagramReach, IGViews: gm.InstagramViews, IGLikes: gm.InstagramLikes,
			IGComments: gm.InstagramComments, IGShares: gm.InstagramShares, IGSaved: gm.InstagramSaved,
			IGTotalInteractions: gm.InstagramTotal,
		},
	}
}
