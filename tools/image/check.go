package main

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// shells are the names of programs that would give `docker exec` or an
// attacker a shell. The image must hold none of them, in any layer: a
// file deleted by a later layer is still in the image.
var shells = []string{"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox", "toybox"}

// checkCmd runs `image check`: it reads an image tarball and fails unless
// the image is shaped as docs/container.md promises.
func checkCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	tag := fs.String("tag", "", "the `reference` to check when the tarball holds several")
	version := fs.String("version", "", "the `version` whisperd --version must report (default: not checked)")
	run := fs.Bool("run", true, "run the binaries' --version, extracted from the image (needs the image's platform)")
	start := fs.Bool("start", false, "also start whisperd chrooted into the image's files as its user, wait until it is ready, and back up with whisperctl (needs root)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: image check [flags] IMAGE.tar")
	}
	var ref *name.Tag
	if *tag != "" {
		t, err := name.NewTag(*tag)
		if err != nil {
			return fmt.Errorf("-tag: %w", err)
		}
		ref = &t
	}
	img, err := tarball.ImageFromPath(fs.Arg(0), ref)
	if err != nil {
		return fmt.Errorf("reading %s: %w", fs.Arg(0), err)
	}
	found, err := inspect(img)
	if err != nil {
		return err
	}
	if *run && len(found.problems) == 0 {
		found.problems = append(found.problems, runVersions(ctx, found, *version)...)
	}
	if *start && len(found.problems) == 0 {
		if err := startInImage(ctx, img); err != nil {
			found.problems = append(found.problems, err.Error())
		}
	}
	for _, p := range found.problems {
		fmt.Fprintln(os.Stderr, "image check:", p)
	}
	if len(found.problems) > 0 {
		return fmt.Errorf("%d problems in %s", len(found.problems), fs.Arg(0))
	}
	fmt.Printf("image check: %s is fine: user %s, entrypoint %s, working directory %s, no shell, whisperd and whisperctl static and executable\n",
		fs.Arg(0), found.config.Config.User, strings.Join(found.config.Config.Entrypoint, " "), found.config.Config.WorkingDir)
	return nil
}

// findings is what inspect learnt about an image.
type findings struct {
	config   *v1.ConfigFile
	binaries map[string][]byte // "whisperd", "whisperctl" → the file
	problems []string
}

// inspect checks an image's configuration and files without running
// anything, and keeps the two binaries for runVersions. Its error is for
// an image it could not read; what is wrong with one it could read is in
// problems.
func inspect(img v1.Image) (*findings, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image's configuration: %w", err)
	}
	f := &findings{config: cf, binaries: map[string][]byte{}}
	bad := func(format string, args ...any) { f.problems = append(f.problems, fmt.Sprintf(format, args...)) }
	c := cf.Config

	// A numeric user, because Kubernetes' runAsNonRoot cannot verify a name.
	uid, err := strconv.Atoi(strings.SplitN(c.User, ":", 2)[0])
	switch {
	case c.User == "":
		bad("the image runs as root: User is empty")
	case err != nil:
		bad("User %q is not a numeric UID", c.User)
	case uid == 0:
		bad("the image runs as root: User is %q", c.User)
	}
	if len(c.Entrypoint) != 1 || path.Base(c.Entrypoint[0]) != "whisperd" {
		bad("the entrypoint is %q, not whisperd alone", c.Entrypoint)
	}
	if c.WorkingDir != dataDir {
		bad("the working directory is %q, not %s", c.WorkingDir, dataDir)
	}
	if _, ok := c.Volumes[dataDir]; !ok {
		bad("%s is not a volume", dataDir)
	}

	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for i, l := range layers {
		err := eachFile(l, func(h *tar.Header, _ io.Reader) error {
			base := path.Base(strings.TrimSuffix(h.Name, "/"))
			base = strings.TrimPrefix(base, ".wh.") // a whiteout still names a shell some layer holds
			if slices.Contains(shells, base) && h.Typeflag != tar.TypeDir {
				bad("layer %d holds a shell: /%s", i+1, strings.TrimPrefix(h.Name, "/"))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading layer %d: %w", i+1, err)
		}
	}

	// The files as a container sees them: every layer applied.
	want := map[string]string{} // path in the image → binary
	if len(c.Entrypoint) == 1 {
		want[strings.TrimPrefix(path.Clean(c.Entrypoint[0]), "/")] = "whisperd"
		want[strings.TrimPrefix(path.Join(path.Dir(c.Entrypoint[0]), "whisperctl"), "/")] = "whisperctl"
	}
	var sawData bool
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image's files: %w", err)
		}
		p := strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+h.Name), "/"), "/")
		if p == strings.TrimPrefix(dataDir, "/") {
			sawData = true
			if h.Typeflag != tar.TypeDir {
				bad("%s is not a directory", dataDir)
			}
			if err == nil && h.Uid != uid {
				bad("%s is owned by UID %d, not the image's user %d", dataDir, h.Uid, uid)
			}
			if h.Mode&0o7777 != 0o750 {
				bad("%s has mode %04o, not 0750", dataDir, h.Mode&0o7777)
			}
		}
		bin, ok := want[p]
		if !ok {
			continue
		}
		if h.Typeflag != tar.TypeReg {
			bad("/%s is not a regular file", p)
			continue
		}
		// Executable by the image's user: as its owner, or as anyone.
		if h.Mode&0o001 == 0 && (h.Uid != uid || h.Mode&0o100 == 0) {
			bad("/%s (mode %04o, owner %d) is not executable by UID %d", p, h.Mode&0o7777, h.Uid, uid)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		f.binaries[bin] = body
	}
	if !sawData {
		bad("%s does not exist in the image", dataDir)
	}
	for _, bin := range []string{"whisperd", "whisperctl"} {
		body, ok := f.binaries[bin]
		if !ok {
			bad("%s is not in the image beside the entrypoint", bin)
			continue
		}
		if err := static(body); err != nil {
			bad("%s: %s", bin, err)
		}
	}
	return f, nil
}

// static fails unless body is an ELF executable that needs no dynamic
// loader and no shared library: the base has neither.
func static(body []byte) error {
	e, err := elf.NewFile(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not an ELF executable: %w", err)
	}
	defer e.Close()
	for _, p := range e.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked (it names an ELF interpreter); build with CGO_ENABLED=0")
		}
	}
	if libs, _ := e.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("needs shared libraries %q", libs)
	}
	return nil
}

// runVersions runs each binary's --version outside the container: a static
// binary runs the same anywhere of its platform. It proves the image holds
// the right programs, built with the version given.
func runVersions(ctx context.Context, f *findings, version string) []string {
	if f.config.OS != runtime.GOOS || f.config.Architecture != runtime.GOARCH {
		return []string{fmt.Sprintf("cannot run %s/%s binaries here (%s/%s); check with -run=false",
			f.config.OS, f.config.Architecture, runtime.GOOS, runtime.GOARCH)}
	}
	dir, err := os.MkdirTemp("", "whisper-image-check-")
	if err != nil {
		return []string{err.Error()}
	}
	defer os.RemoveAll(dir)
	var problems []string
	for _, bin := range []string{"whisperd", "whisperctl"} {
		file := filepath.Join(dir, bin)
		if err := os.WriteFile(file, f.binaries[bin], 0o700); err != nil {
			return []string{err.Error()}
		}
		cmd := exec.CommandContext(ctx, file, "--version")
		cmd.Dir, cmd.Env = dir, []string{} // nothing of this machine's configuration
		out, err := cmd.CombinedOutput()
		line := strings.TrimSpace(string(out))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s --version: %v: %s", bin, err, line))
		case !strings.HasPrefix(line, bin+" "):
			problems = append(problems, fmt.Sprintf("%s --version printed %q, not its own name", bin, line))
		case version != "" && !strings.HasPrefix(line, bin+" version "+version+" "):
			problems = append(problems, fmt.Sprintf("%s --version printed %q, not version %s", bin, line, version))
		default:
			fmt.Printf("image check: %s\n", line)
		}
	}
	return problems
}

// eachFile calls fn for every entry of layer's tar.
func eachFile(layer v1.Layer, fn func(*tar.Header, io.Reader) error) error {
	rc, err := layer.Uncompressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}
