package main

import (
	"archive/tar"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// ko is pinned so that a new release cannot change a build that passed;
// `go run` builds it from the module proxy, outside this module's go.mod.
const ko = "github.com/google/ko@v0.19.1"

// koRepo names the images inside ko's tarball. It is never pushed to:
// the tarball is only this program's input.
const koRepo = "ko.whisper.invalid/build"

// Where the image keeps its state, and the user who owns it: distroless's
// nonroot.
const (
	dataDir = "/data"
	dataUID = 65532
)

// build runs `image build`: ko builds whisperd and whisperctl, and this
// program joins them into one image with /data as its working directory,
// then writes it as a tarball (`docker load`, `crane push`).
func build(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	out := fs.String("out", "whisper.tar", "the image `tarball` to write")
	tags := fs.String("tag", "ghcr.io/whisper-schools/whisper:latest", "comma-separated `references` the tarball names the image by")
	version := fs.String("version", "", "the `version` the binaries report (default: the exact git tag of HEAD, else none)")
	platform := fs.String("platform", "linux/"+runtime.GOARCH, "the image's `os/arch`")
	standIn := fs.Bool("standin-base", false, "build on a stand-in for distroless/static served on loopback, for machines that cannot reach gcr.io (CI); never for a release")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("build takes no arguments, got %q", fs.Args())
	}
	if _, err := os.Stat(".ko.yaml"); err != nil {
		return errors.New("run this from the repository's root, where .ko.yaml is")
	}
	plat, err := v1.ParsePlatform(*platform)
	if err != nil {
		return fmt.Errorf("-platform: %w", err)
	}
	var refs []name.Tag
	for t := range strings.SplitSeq(*tags, ",") {
		ref, err := name.NewTag(strings.TrimSpace(t))
		if err != nil {
			return fmt.Errorf("-tag: %w", err)
		}
		refs = append(refs, ref)
	}
	if *version == "" {
		*version = gitOutput(ctx, "describe", "--tags", "--exact-match")
	}
	commit := gitOutput(ctx, "rev-parse", "HEAD")

	work, err := os.MkdirTemp("", "whisper-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	env := append(os.Environ(), "KO_DOCKER_REPO="+koRepo, "VERSION="+*version)
	if *standIn {
		base, stop, err := serveStandIn(*plat)
		if err != nil {
			return err
		}
		defer stop()
		slog.Info("building on the stand-in base", "base", base)
		env = append(env, "KO_DEFAULTBASEIMAGE="+base)
	}

	koTar := filepath.Join(work, "ko.tar")
	cmd := exec.CommandContext(ctx, "go", "run", ko, "build",
		"--push=false", "--tarball="+koTar, "--sbom=none", "--base-import-paths",
		"--platform="+plat.String(), "./cmd/whisperd", "./cmd/whisperctl")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stderr, os.Stderr
	slog.Info("running ko", "ko", ko, "platform", plat.String(), "version", *version)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ko build: %w", err)
	}

	server, err := koImage(koTar, "whisperd")
	if err != nil {
		return err
	}
	ctl, err := koImage(koTar, "whisperctl")
	if err != nil {
		return err
	}
	img, err := finish(server, ctl, labels(*version, commit))
	if err != nil {
		return err
	}
	byRef := map[name.Reference]v1.Image{}
	for _, r := range refs {
		byRef[r] = img
	}
	if err := tarball.MultiRefWriteToFile(*out, byRef); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	slog.Info("image written", "file", *out, "digest", digest.String())
	return nil
}

// labels are the OCI annotations a registry and a scanner read.
func labels(version, commit string) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       "Whisper",
		"org.opencontainers.image.description": "anonymous reporting for schools",
		"org.opencontainers.image.source":      "https://github.com/whisper-schools/whisper",
		"org.opencontainers.image.licenses":    "AGPL-3.0-or-later",
	}
	if version != "" {
		l["org.opencontainers.image.version"] = version
	}
	if commit != "" {
		l["org.opencontainers.image.revision"] = commit
	}
	return l
}

// finish turns ko's whisperd image into Whisper's: it adds whisperctl
// (the last layer of ko's whisperctl image, which holds only the binary)
// and /data, owned by the nonroot user, as the working directory and a
// volume. ko cannot do either: it builds one binary per image and never
// sets a working directory. The entrypoint and user stay as ko and the
// base left them.
func finish(server, ctl v1.Image, labels map[string]string) (v1.Image, error) {
	ctlLayers, err := ctl.Layers()
	if err != nil {
		return nil, err
	}
	if len(ctlLayers) == 0 {
		return nil, errors.New("ko's whisperctl image has no layers")
	}
	ctlLayer := ctlLayers[len(ctlLayers)-1]
	if err := onlyUnder(ctlLayer, "ko-app/"); err != nil {
		return nil, fmt.Errorf("ko's whisperctl image: its last layer should hold only the binary: %w", err)
	}
	data, err := layerOf([]entry{
		{path: strings.TrimPrefix(dataDir, "/"), dir: true, mode: 0o750, uid: dataUID, gid: dataUID},
	}, time.Unix(0, 0).UTC())
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(server,
		mutate.Addendum{Layer: ctlLayer, History: v1.History{
			Author: "tools/image", CreatedBy: "ko build ./cmd/whisperctl", Comment: "whisperctl, for operators: docker exec … whisperctl",
		}},
		mutate.Addendum{Layer: data, History: v1.History{
			Author: "tools/image", CreatedBy: "tools/image build", Comment: dataDir + ", the working directory, owned by 65532",
		}},
	)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	c := &cf.Config
	c.WorkingDir = dataDir
	c.Volumes = map[string]struct{}{dataDir: {}}
	c.ExposedPorts = map[string]struct{}{"8080/tcp": {}}
	// In a container the network namespace is the boundary: whisperd must
	// listen on every interface of it to be reachable at all. A config
	// file cannot undo this (the environment outranks it); WHISPER_LISTEN
	// can.
	c.Env = append(c.Env, "WHISPER_LISTEN=0.0.0.0:8080")
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range labels {
		c.Labels[k] = v
	}
	return mutate.ConfigFile(img, cf)
}

// onlyUnder fails unless every entry of layer lies under prefix (or is
// prefix's directory itself).
func onlyUnder(layer v1.Layer, prefix string) error {
	return eachFile(layer, func(h *tar.Header, _ io.Reader) error {
		n := strings.TrimPrefix(h.Name, "/")
		if n != strings.TrimSuffix(prefix, "/") && !strings.HasPrefix(n, prefix) {
			return fmt.Errorf("it holds %s", h.Name)
		}
		return nil
	})
}

// koImage reads the image ko built for the command cmd from its tarball.
func koImage(path, cmd string) (v1.Image, error) {
	tag, err := name.NewTag(koRepo + "/" + cmd + ":latest")
	if err != nil {
		return nil, err
	}
	img, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		return nil, fmt.Errorf("ko's tarball has no image %s: %w", tag, err)
	}
	return img, nil
}

// serveStandIn serves the stand-in base from an in-memory registry on
// loopback, where ko fetches its base, and returns the base's reference
// and a function that stops the registry.
func serveStandIn(plat v1.Platform) (string, func(), error) {
	img, err := standInBase(plat)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(discardLog)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() { _ = srv.Close() }
	// go-containerregistry speaks plain HTTP to loopback addresses.
	ref := ln.Addr().String() + "/distroless/static-debian12:nonroot"
	tag, err := name.NewTag(ref)
	if err == nil {
		err = remote.Write(tag, img)
	}
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("serving the stand-in base: %w", err)
	}
	return ref, stop, nil
}

// gitOutput runs git with args and returns its trimmed output, or "" when
// git fails (no repository, no tag): the binaries then fall back to Go's
// build information.
func gitOutput(ctx context.Context, args ...string) string {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
