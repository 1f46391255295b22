/*
 * Path lookup (after FreeBSD's vfs_lookup.c and Linux's namei.c).
 *
 * A lookup walks one component at a time from the start directory,
 * holding a reference on the directory it stands in and nothing else;
 * each step asks the directory's file system (vop_lookup) under that
 * file system's own locks, after checking that the caller may search the
 * directory.  "." and ".." are answered here from the vnode itself:
 * every directory knows its parent (v_parent) and its own name.
 *
 * Symbolic links.  The path being walked lives in the nameidata's buffer.
 * When a component turns out to be a symbolic link that must be followed,
 * the buffer is rewritten as the link's contents followed by what was
 * left of the path, and the walk goes on from the link's directory (or
 * from the root, for a link starting with '/').  Links in the middle of
 * a path are always followed; one in the last component only when the
 * caller asks (stat but not lstat), or when slashes follow it.  Every
 * link counts, and the MAXSYMLINKS+1st makes the lookup fail with ELOOP,
 * as on Linux.
 *
 * Magic links.  A link whose file system follows it itself (vop_follow:
 * /proc/PID/exe) stands for a file, not a path: following it jumps to
 * that file, as Linux's nd_jump_link, so it reaches a program since
 * removed or renamed, which its contents as a path would not.  In the
 * middle of a path the walk goes on from the file; as the last component
 * the nameidata keeps it (nd_jump) for namei_last to return as it is.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

MALLOC_DEFINE(M_NAMEI, "namei", "path lookup buffers");

/* nd_buf holds the path in its first half and a link's contents in its second. */
#define NAMEI_BUF_SIZE	(2 * PATH_MAX)

/*
 * vp (referenced) or, if it is a covered directory, the root of the
 * mount on it (and of the mounts stacked on that), referenced instead.
 */
static struct vnode *
cross_mounts(struct vnode *vp)
{
	while (__atomic_load_n(&vp->v_mountedhere, __ATOMIC_ACQUIRE) != NULL) {
		struct vnode *root = NULL;

		spin_lock(&mount_lock);
		if (vp->v_mountedhere != NULL) {
			root = vp->v_mountedhere->mnt_root;
			vref(root);
		}
		spin_unlock(&mount_lock);
		if (root == NULL)
			break;
		vrele(vp);
		vp = root;
	}
	return vp;
}

int
vfs_lookup_component(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	int error;

	if (dir->v_type != VDIR)
		return ENOTDIR;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if (len == 1 && name[0] == '.') {
		vref(dir);
		*out = dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = vn_dotdot(dir);
		return 0;
	}
	if (dir->v_ops->vop_lookup == NULL)
		return ENOENT;
	if ((error = dir->v_ops->vop_lookup(dir, name, len, out)) != 0)
		return error;
	*out = cross_mounts(*out);
	return 0;
}

static bool
is_dot_or_dotdot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Count one more link followed in nd: 0, or ELOOP past MAXSYMLINKS. */
static int
count_link(struct nameidata *nd)
{
	return ++nd->nd_links > MAXSYMLINKS ? ELOOP : 0;
}

/* Is vp a magic link, one its file system follows itself (vop_follow)? */
static bool
is_magic_link(struct vnode *vp)
{
	return vp->v_type == VLNK && vp->v_ops->vop_follow != NULL;
}

/* The file the magic link link stands for, referenced, into *out: 0, ELOOP, or its error. */
static int
jump_link(struct nameidata *nd, struct vnode *link, struct vnode **out)
{
	int error;

	if ((error = count_link(nd)) != 0)
		return error;
	return link->v_ops->vop_follow(link, out);
}

/*
 * Replace the path in nd_buf by link's contents followed by rest (a
 * suffix of nd_buf, perhaps empty).  0, ENOENT (an empty link),
 * ENAMETOOLONG, or the error reading the link.
 */
static int
substitute_link(struct nameidata *nd, struct vnode *link, const char *rest)
{
	char *target = nd->nd_buf + PATH_MAX;
	size_t tlen, restlen = strlen(rest);
	int error;

	if ((error = count_link(nd)) != 0)
		return error;
	if ((error = vn_readlink_kernel(link, target, PATH_MAX, &tlen)) != 0)
		return error;
	if (tlen == 0)
		return ENOENT;
	if (tlen + restlen >= PATH_MAX)
		return ENAMETOOLONG;
	memmove(nd->nd_buf + tlen, rest, restlen + 1);
	memcpy(nd->nd_buf, target, tlen);
	return 0;
}

/*
 * Walk nd_buf from dir (referenced; the reference passes to the walk) to
 * the directory of the last component, following links on the way.
 */
static int
walk(struct nameidata *nd, struct vnode *dir)
{
	const char *p = nd->nd_buf;
	int error;

	if (p[0] == '/') {
		vrele(dir);
		dir = rootvnode;
		vref(dir);
	}
	for (;;) {
		const char *comp, *next;
		struct vnode *child;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/" or only slashes: the directory itself. */
			nd->nd_name = ".";
			nd->nd_namelen = 1;
			nd->nd_trailing = false;
			nd->nd_notname = true;
			nd->nd_onlyslashes = true;
			break;
		}
		comp = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - comp);
		for (next = p; *next == '/'; next++)
			;
		if (len > NAME_MAX) {
			error = ENAMETOOLONG;
			goto fail;
		}
		if (*next == '\0') {
			nd->nd_name = comp;
			nd->nd_namelen = len;
			nd->nd_trailing = next != p;
			nd->nd_notname = is_dot_or_dotdot(comp, len);
			nd->nd_onlyslashes = false;
			break;
		}
		if (dir->v_type != VDIR) {
			error = ENOTDIR;
			goto fail;
		}
		if ((error = vn_access(dir, X_OK)) != 0 ||
		    (error = vfs_lookup_component(dir, comp, len, &child)) != 0)
			goto fail;
		if (is_magic_link(child)) {
			struct vnode *target;

			error = jump_link(nd, child, &target);
			vrele(child);
			if (error)
				goto fail;
			vrele(dir);
			dir = target;	/* if not a directory: ENOTDIR at the next step */
			p = next;
			continue;
		}
		if (child->v_type == VLNK) {
			error = substitute_link(nd, child, p);
			vrele(child);
			if (error)
				goto fail;
			p = nd->nd_buf;
			if (*p == '/') {
				vrele(dir);
				dir = rootvnode;
				vref(dir);
			}
			continue;
		}
		vrele(dir);
		dir = child;
		p = next;
	}
	if (dir->v_type != VDIR) {
		error = ENOTDIR;
		goto fail;
	}
	nd->nd_dvp = dir;
	return 0;
fail:
	vrele(dir);
	nd->nd_dvp = NULL;
	return error;
}

int
namei_parent(struct nameidata *nd, struct vnode *start, const char *path)
{
	size_t len = strlen(path);
	int error;

	memset(nd, 0, sizeof(*nd));
	if (len == 0)
		return ENOENT;
	if (len >= PATH_MAX)
		return ENAMETOOLONG;
	if (start == NULL || path[0] == '/')
		start = rootvnode;
	if (start == NULL)
		return ENOENT;
	if ((nd->nd_buf = malloc(NAMEI_BUF_SIZE, M_NAMEI, M_WAITOK)) == NULL)
		return ENOMEM;
	memcpy(nd->nd_buf, path, len + 1);
	vref(start);
	if ((error = walk(nd, start)) != 0) {
		free(nd->nd_buf, M_NAMEI);
		nd->nd_buf = NULL;
	}
	return error;
}

int
namei_follow(struct nameidata *nd, struct vnode *link)
{
	char slash[2] = "/";
	struct vnode *dir = nd->nd_dvp;
	int error;

	if (is_magic_link(link))
		return jump_link(nd, link, &nd->nd_jump);
	/* The rest of the path is nothing, or the slashes after the link. */
	error = substitute_link(nd, link, nd->nd_trailing ? slash : slash + 1);
	nd->nd_dvp = NULL;
	if (error) {
		vrele(dir);
		return error;
	}
	return walk(nd, dir);
}

int
namei_last(struct nameidata *nd, bool follow, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	for (;;) {
		if (nd->nd_jump != NULL) {
			/* A magic link's file: what the path names, not followed further. */
			vp = nd->nd_jump;
			nd->nd_jump = NULL;
			nd->nd_jumped = true;
			break;
		}
		if ((error = vn_access(nd->nd_dvp, X_OK)) != 0)
			return error;
		error = vfs_lookup_component(nd->nd_dvp, nd->nd_name, nd->nd_namelen, &vp);
		if (error)
			return error;
		if (vp->v_type != VLNK || nd->nd_notname || !(follow || nd->nd_trailing))
			break;
		error = namei_follow(nd, vp);
		vrele(vp);
		if (error)
			return error;
	}
	if (nd->nd_trailing && vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	*vpp = vp;
	return 0;
}

void
namei_done(struct nameidata *nd)
{
	if (nd->nd_dvp != NULL)
		vrele(nd->nd_dvp);
	if (nd->nd_jump != NULL)
		vrele(nd->nd_jump);
	free(nd->nd_buf, M_NAMEI);
	nd->nd_dvp = NULL;
	nd->nd_jump = NULL;
	nd->nd_buf = NULL;
}

int
vn_create(struct vnode *dir, const char *name, size_t len, struct vcreate *vc,
    struct vnode **out)
{
	uint32_t dmode, dgid;
	int error;

	if (dir->v_ops->vop_create == NULL)
		return EACCES;
	if ((error = vn_access(dir, W_OK | X_OK)) != 0)
		return error;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	spin_lock(&dir->v_lock);
	dmode = dir->v_mode;
	dgid = dir->v_gid;
	spin_unlock(&dir->v_lock);
	vc->vc_uid = vfs_cred_uid();
	vc->vc_gid = vfs_cred_gid();
	if (dmode & 02000) {
		/* A setgid directory: its group, and its setgid bit for subdirectories. */
		vc->vc_gid = dgid;
		if (vc->vc_type == VDIR)
			vc->vc_mode |= 02000;
	}
	return dir->v_ops->vop_create(dir, name, len, vc, out);
}

int
vfs_lookup(struct vnode *dir, const char *path, int flags, enum vtype type, uint32_t mode,
    struct vnode **out)
{
	struct nameidata nd;
	struct vnode *vp = NULL;
	bool created = false;
	int error;

	if ((error = namei_parent(&nd, dir, path)) != 0)
		return error;
	for (int tries = 0; tries < 2; tries++) {
		struct vcreate vc = { .vc_type = type, .vc_mode = mode & S_IALLUGO };

		error = namei_last(&nd, !(flags & VFS_NOFOLLOW), &vp);
		if (error != ENOENT || !(flags & VFS_CREATE) || nd.nd_dvp == NULL)
			break;
		if (nd.nd_trailing && type != VDIR) {
			error = EISDIR;
			break;
		}
		error = vn_create(nd.nd_dvp, nd.nd_name, nd.nd_namelen, &vc, &vp);
		if (error == 0) {
			created = true;
			break;
		}
		if (error != EEXIST || (flags & VFS_EXCL))
			break;
		/* Someone else created it meanwhile: look again. */
	}
	if (error == 0 && !created && (flags & VFS_CREATE) && (flags & VFS_EXCL)) {
		vrele(vp);
		error = EEXIST;
	}
	namei_done(&nd);
	if (error)
		return error;
	*out = vp;
	return 0;
}
