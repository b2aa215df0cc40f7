// Package org holds the offices (units, a tree: national, province, city)
// and their channels (Facebook Pages and Instagram professional accounts),
// with each channel's access token encrypted at rest (AES-256-GCM). It also
// mirrors both into the ClickHouse dimension tables reports join against.
package org
