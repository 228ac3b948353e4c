package main

import (
	"fmt"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// The machine's CA bundle, which the stand-in carries as distroless does
// (Debian's ca-certificates package writes it).
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

// standInBase returns an image shaped like gcr.io/distroless/static-debian12:nonroot,
// for building where that registry cannot be reached (CI is offline): no
// shell and no package manager, just the users, groups, CA certificates
// and directories a static Go binary expects, and User 65532. It is not a
// replacement for the real base: a release builds on distroless itself.
func standInBase(platform v1.Platform) (v1.Image, error) {
	certs, err := os.ReadFile(caBundle)
	if err != nil {
		return nil, fmt.Errorf("the stand-in base carries the machine's CA certificates: %w (install Debian's ca-certificates)", err)
	}
	layer, err := layerOf([]entry{
		{path: "etc", dir: true, mode: 0o755},
		{path: "etc/passwd", mode: 0o644, body: []byte(
			"root:x:0:0:root:/root:/sbin/nologin\n" +
				"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
				"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{path: "etc/group", mode: 0o644, body: []byte(
			"root:x:0:\n" +
				"nobody:x:65534:\n" +
				"tty:x:5:\n" +
				"staff:x:50:\n" +
				"nonroot:x:65532:\n")},
		{path: "etc/nsswitch.conf", mode: 0o644, body: []byte("hosts: files dns\n")},
		{path: "etc/ssl", dir: true, mode: 0o755},
		{path: "etc/ssl/certs", dir: true, mode: 0o755},
		{path: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, body: certs},
		{path: "home", dir: true, mode: 0o755},
		{path: "home/nonroot", dir: true, mode: 0o700, uid: 65532, gid: 65532},
		{path: "root", dir: true, mode: 0o700},
		{path: "tmp", dir: true, mode: 0o1777},
	}, time.Unix(0, 0).UTC())
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = platform.OS, platform.Architecture, platform.Variant
	cf.Config.User = "65532"
	cf.Config.WorkingDir = "/home/nonroot"
	cf.Config.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"SSL_CERT_FILE=" + caBundle,
	}
	return mutate.ConfigFile(img, cf)
}
