"""The Instagram source: instaloader, a logged-in session, hashtag feeds newest first.

- Login: an instaloader session file, cookies imported from a browser, or user name and
  password (settings, environment variables, or the values an Airflow connection gives the
  DAG). A session made here is saved with mode 0600; secrets are never logged. Hashtag feeds
  need a login, so without one the run fails at once, saying how to provide it.
- Each hashtag's feed (``Hashtag.get_posts_resumable``, a ``NodeIterator``) is read newest
  first until a post older than the stored watermark minus ``collect_overlap_hours``, or
  ``max_posts``. After every page the page's posts (pictures downloaded first) and the frozen
  iterator are written in one transaction, so a killed run resumes where it stopped. Freezing
  rewinds one post: writes are at-least-once, the upserts make them exactly-once.
- Rate control: instaloader's request budgets, but :class:`BoundedRateController` never sleeps
  longer than ``collect_max_sleep_s``; past it the state is saved and a ``RetriableError``
  says when to retry, so Airflow's retry does the waiting. 429, 401 "please wait", 403
  login_required, 5xx, time-outs and unexpected JSON all end in a clear error, state saved.
  A feed that ends on an empty or repeated page saying more follow keeps its position and
  watermark and ends in a ``RetriableError``.
- Isolation: a post whose owner name or comments cannot be fetched is stored without them; a
  failing hashtag, influencer or profile refresh is recorded in its state and the others go
  on. A rate limit or a lost login ends the run at once; otherwise the run ends in the one
  error, or one naming every failed source (retriable if any was).
- Pictures stored ok for (shortcode, position) by an earlier run are kept, not fetched again.
- Tracked influencers (``tracked_influencers``): each one's own posts (``Profile.get_posts``,
  newest first) are read like a hashtag feed, with a watermark and frozen iterator per profile
  (``scrape_state`` kind ``profile``); pinned posts never stop the feed. The profile itself is
  stored from the same queries.
- Profiles of post owners: at most ``collect_profiles_per_run`` per run, each refreshed at
  most once per ``profile_refresh_hours`` (see :mod:`trendminer.collect.profiles`); fetched
  profiles are written before an error ends the run.
- Comments: with ``collect_comments_per_post`` > 0, up to that many per post (answers
  included), stored with owner and time (see :mod:`trendminer.collect.comments`).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import instaloader
import requests
from instaloader import FrozenNodeIterator, Hashtag, NodeIterator, Post, Profile
from instaloader.exceptions import (
    AbortDownloadException,
    BadCredentialsException,
    BadResponseException,
    ConnectionException,
    InstaloaderException,
    InvalidArgumentException,
    LoginException,
    LoginRequiredException,
    PrivateProfileNotFollowedException,
    ProfileNotExistsException,
    TooManyRequestsException,
    TwoFactorAuthRequiredException,
)
from sqlalchemy import Engine, text

from trendminer.cleaning import clean_time
from trendminer.collect.archive import Progress, location_from_node, media_items, post_from_node
from trendminer.collect.comments import post_comments
from trendminer.collect.media import (
    DownloadPolicy,
    MediaStore,
    StoredPicture,
    download_pictures,
)
from trendminer.collect.profiles import due_profiles, fetch_profile, known_user_id, profile_record
from trendminer.collect.result import CollectResult
from trendminer.collect.state import read_state, write_state
from trendminer.db.bulk import upsert_posts, upsert_profiles
from trendminer.errors import ConfigurationError, RetriableError, TrendMinerError
from trendminer.lists import NameList, list_names
from trendminer.names import normalise_hashtag
from trendminer.records import CommentRecord, MediaRecord, PostRecord, ProfileRecord
from trendminer.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

HOW_TO_LOGIN = (
    "Hashtag feeds need a logged-in Instagram session. Give one of: "
    "TRENDMINER_INSTAGRAM_SESSION_FILE (a file from `instaloader --login USER`) with "
    "TRENDMINER_INSTAGRAM_USERNAME; TRENDMINER_INSTAGRAM_COOKIES_BROWSER (firefox, chrome, …) "
    "to import a browser's cookies; or TRENDMINER_INSTAGRAM_USERNAME and "
    "TRENDMINER_INSTAGRAM_PASSWORD (in Airflow: the connection `instagram_default`)."
)


class InstagramLoginError(ConfigurationError):
    """No usable Instagram session: none configured, bad credentials, or logged out."""


class InstagramResponseError(TrendMinerError):
    """Instagram answered with something instaloader could not read (unexpected JSON)."""


class InstagramRateLimitError(RetriableError):
    """Instagram wants us to slow down (429, "please wait", feedback_required, a long budget)."""


class InstagramSourcesError(TrendMinerError):
    """Some hashtags, influencers or the profile refresh failed; the others were collected."""


class BoundedRateController(instaloader.RateController):
    """instaloader's request budgets, but never a sleep longer than ``max_sleep_s``.

    A longer wait raises ``RetriableError(retry_after_s=wait)`` out of the request, so the run
    saves its state and ends, and the scheduler retries later instead of a worker sleeping.
    """

    def __init__(self, context: instaloader.InstaloaderContext, max_sleep_s: float) -> None:
        super().__init__(context)
        self.max_sleep_s = max_sleep_s

    def sleep(self, secs: float) -> None:
        if secs > self.max_sleep_s:
            raise InstagramRateLimitError(
                f"Instagram's request budget needs a {secs:.0f} s wait, more than "
                f"collect_max_sleep_s ({self.max_sleep_s:.0f} s); state saved, retry later",
                retry_after_s=secs,
            )
        time.sleep(secs)


def make_loader(settings: Settings, *, sleep: bool = True) -> instaloader.Instaloader:
    """A logged-in instaloader with our rate controller; fails at once without a session."""
    loader = instaloader.Instaloader(
        sleep=sleep,
        quiet=True,
        download_pictures=False,
        download_videos=False,
        download_comments=False,
        save_metadata=False,
        max_connection_attempts=3,
        request_timeout=60.0,
        rate_controller=lambda context: BoundedRateController(
            context, settings.collect_max_sleep_s
        ),
    )
    login(loader, settings)
    return loader


def session_path(settings: Settings) -> Path:
    """Where the session is read from and saved to."""
    return settings.instagram_session_file or settings.data_dir / "instagram.session"


def login(loader: instaloader.Instaloader, settings: Settings) -> None:
    """Log in from a session file, a browser's cookies, or user name and password."""
    path = session_path(settings)
    username = settings.instagram_username
    if username is None and path.name.startswith("session-"):
        username = path.name.removeprefix("session-")  # instaloader's own file name
    try:
        if path.is_file() and username:
            loader.load_session_from_file(username, str(path))
        elif settings.instagram_cookies_browser:
            _import_browser_cookies(loader, settings.instagram_cookies_browser)
            _save_session(loader, path)
        elif username and settings.instagram_password is not None:
            loader.login(username, settings.instagram_password.get_secret_value())
            _save_session(loader, path)
        else:
            raise InstagramLoginError(f"no Instagram session. {HOW_TO_LOGIN}")
    except TwoFactorAuthRequiredException as exc:
        raise InstagramLoginError(
            "this account uses two-factor authentication: create a session file with "
            "`instaloader --login USER` and set TRENDMINER_INSTAGRAM_SESSION_FILE"
        ) from exc
    except BadCredentialsException as exc:
        raise InstagramLoginError(f"Instagram rejected the password of {username}") from exc
    except (LoginException, ConnectionException, OSError) as exc:
        raise InstagramLoginError(f"could not log in to Instagram: {exc}. {HOW_TO_LOGIN}") from exc
    logger.info("logged in to Instagram as %s", loader.context.username)


def _import_browser_cookies(loader: instaloader.Instaloader, browser: str) -> None:
    try:
        from instaloader.__main__ import import_session
    except ImportError as exc:  # pragma: no cover - instaloader ships it
        raise InstagramLoginError("this instaloader cannot import browser cookies") from exc
    try:
        import browser_cookie3  # type: ignore[import-not-found]  # noqa: F401
    except ImportError as exc:
        raise InstagramLoginError(
            "importing browser cookies needs the browser_cookie3 package: "
            "pip install browser_cookie3"
        ) from exc
    import_session(browser.lower(), loader, None)


def _save_session(loader: instaloader.Instaloader, path: Path) -> None:
    """Save the session (instaloader writes it with mode 0600, its folder 0700)."""
    loader.save_session_to_file(str(path))
    path.chmod(0o600)


def _translate(exc: BaseException, where: str) -> TrendMinerError:
    """A clear TrendMiner error for what instaloader or the network raised."""
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, TrendMinerError):
        return exc
    if isinstance(exc, AbortDownloadException) and "feedback_required" in lowered:
        return InstagramRateLimitError(
            f"Instagram blocked {where} (feedback_required: too many actions); state saved, "
            "retry in an hour",
            retry_after_s=3600.0,
        )
    if isinstance(exc, AbortDownloadException) and any(
        words in lowered
        for words in ("logged out", "login page", "checkpoint_required", "challenge_required")
    ):
        return InstagramLoginError(
            f"Instagram refused {where}: the session was logged out or needs a security check "
            f"({message}); state saved. Confirm the account in a browser, then create a new "
            f"session. {HOW_TO_LOGIN}"
        )
    if isinstance(exc, TooManyRequestsException) or "429" in message:
        return InstagramRateLimitError(
            f"Instagram rate-limited {where} (429 Too Many Requests); state saved, retry later",
            retry_after_s=900.0,
        )
    if isinstance(exc, LoginRequiredException) or "login_required" in lowered or "403" in message:
        return InstagramLoginError(
            f"Instagram refused {where}: login required (the session expired or was logged "
            f"out; state saved). Create a new session. {HOW_TO_LOGIN}"
        )
    if "401" in message and "wait" in lowered:
        return InstagramRateLimitError(
            f"Instagram answered {where} with 401 'Please wait a few minutes'; state saved, "
            "retry in 15 minutes",
            retry_after_s=900.0,
        )
    if re.search(r"\b5\d\d\b", message):
        return RetriableError(
            f"Instagram's servers failed on {where} ({message}); state saved", retry_after_s=120.0
        )
    if "timed out" in lowered or "timeout" in lowered:
        return RetriableError(f"{where} timed out ({message}); state saved", retry_after_s=60.0)
    if (
        isinstance(exc, KeyError | TypeError | ValueError | BadResponseException)
        or "expecting value" in lowered
        or "json" in lowered
    ):
        return InstagramResponseError(
            f"unexpected response from Instagram for {where} ({type(exc).__name__}: {message}); "
            "state saved. instaloader may need an update (pip install -U instaloader)"
        )
    return RetriableError(f"{where} failed: {message}; state saved", retry_after_s=300.0)


_REQUEST_ERRORS = (
    RetriableError,  # from BoundedRateController
    InstaloaderException,
    AbortDownloadException,  # logged out, checkpoint, feedback_required : no InstaloaderException
    requests.RequestException,
    KeyError,
    TypeError,
    ValueError,
)


class FeedCollector:
    """Reads one feed (a hashtag) page by page into the database, resumably."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        loader: instaloader.Instaloader,
        progress: Progress | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.loader = loader
        self.progress = progress
        self.store = MediaStore(settings.media_root)
        self.policy = DownloadPolicy(concurrency=settings.collect_download_concurrency)

    def hashtag(self, tag: str, limit: int) -> CollectResult:
        """Collect the newest posts of ``#tag`` down to the watermark (or ``limit`` posts)."""
        context = self.loader.context
        return self._feed(
            "hashtag",
            tag,
            lambda: Hashtag(context, {"name": tag}).get_posts_resumable(),
            limit,
            (tag,),
        )

    def tracked(self, username: str, limit: int) -> CollectResult:
        """Collect a tracked influencer's own newest posts down to the watermark; store the profile.

        A profile that does not exist (any more) or is private and not followed is skipped
        with a warning (its state says why); other errors end the run like a hashtag's.
        """
        seen: list[Profile] = []

        def posts() -> NodeIterator[Post]:
            user_id = self._user_id(username)
            profile = (
                Profile(self.loader.context, {"username": username, "id": user_id})
                if user_id is not None
                else Profile.from_username(self.loader.context, username)
            )
            seen.append(profile)
            return profile.get_posts()

        try:
            result = self._feed("profile", username, posts, limit, ())
        except TrendMinerError as exc:
            if not isinstance(
                exc.__cause__, ProfileNotExistsException | PrivateProfileNotFollowedException
            ):
                raise
            logger.warning("tracked influencer %s skipped: %s", username, exc.__cause__)
            return CollectResult()
        return result + self._save_profiles([profile_record(seen[0], datetime.now(UTC))])

    def profiles(self, limit: int) -> CollectResult:
        """Fetch up to ``limit`` due owner profiles; those fetched are saved before any error."""
        with self.engine.connect() as connection:
            due = due_profiles(connection, self.settings.profile_refresh_hours, limit)
        fetched: list[ProfileRecord] = []
        try:
            for username, user_id in due:
                fetched += fetch_profile(self.loader.context, username, user_id)
        except _REQUEST_ERRORS as exc:
            error = _translate(exc, f"profile {username}")
            self._save_profiles(fetched)
            raise error from exc
        return self._save_profiles(fetched)

    def _save_profiles(self, profiles: Sequence[ProfileRecord]) -> CollectResult:
        with self.engine.begin() as connection:
            return CollectResult(profiles=upsert_profiles(connection, profiles))

    def _user_id(self, username: str) -> int | None:
        with self.engine.connect() as connection:
            return known_user_id(connection, username)

    def _feed(
        self,
        kind: str,
        name: str,
        make_iterator: Callable[[], NodeIterator[Post]],
        limit: int,
        source_hashtags: tuple[str, ...],
    ) -> CollectResult:
        where = f"{kind} {name}"
        with self.engine.connect() as connection:
            state = read_state(connection, kind, name)
        overlap = timedelta(hours=self.settings.collect_overlap_hours)
        cutoff = state.watermark - overlap if state.watermark is not None else None
        saved = state.resume_state or {}
        newest = _parse_time(saved.get("newest"))
        page: list[PostRecord] = []
        frozen: FrozenNodeIterator | None = None
        result = CollectResult()
        seen = 0
        limited = False
        # a thawed iterator first gives back the post it was frozen on (stored already): it
        # does not count against ``limit``, or a run resumed with max_posts 1 would never move
        repeat = False
        complete = False
        try:
            iterator = make_iterator()
            if saved.get("iterator"):
                repeat = _thaw(iterator, saved["iterator"], where)
            for post in iterator:
                record = self._record(post, source_hashtags, where)
                # a post without a plausible time is stored as rejected; it neither stops the
                # feed nor moves the watermark (nor does a time later than now)
                taken = clean_time(record.taken_at)
                too_old = taken is not None and cutoff is not None and taken < cutoff
                if too_old and not _pinned(post):
                    logger.info("%s: reached the watermark (%s)", where, cutoff)
                    complete = True
                    break
                page.append(record)
                seen += 0 if repeat else 1
                repeat = False
                if taken is not None:
                    taken = min(taken, datetime.now(UTC))
                    newest = max(newest or taken, taken)
                frozen = iterator.freeze()
                if seen >= limit:
                    limited = True
                    break
                if len((frozen.remaining_data or {}).get("edges", ())) <= 1:  # page done
                    result += self._flush(kind, name, page, _resume(frozen, newest))
                    page = []
            else:
                complete = _last_page(iterator)
        except _REQUEST_ERRORS as exc:
            error = _translate(exc, where)
            # Failing before the first post (a 429 on the first page) keeps the saved position.
            resume = _resume(frozen, newest) if frozen is not None else state.resume_state
            result += self._flush(kind, name, page, resume, error=error)
            raise error from exc
        if limited and frozen is not None:
            # The posts between here and the watermark are still to come: the next run resumes
            # from this position and moves the watermark only when it gets there.
            logger.info("%s: stopped after %d posts (max_posts); the next run resumes", where, seen)
            return result + self._flush(kind, name, page, _resume(frozen, newest), limited=True)
        if not complete:
            # instaloader ends quietly on an empty or repeated page that says more follow:
            # keep the position and the watermark, and let a retry go on from here.
            error = RetriableError(
                f"{where}: Instagram's feed ended early (an empty or repeated page that says "
                "more posts follow); state saved, retry later",
                retry_after_s=300.0,
            )
            resume = _resume(frozen, newest) if frozen is not None else state.resume_state
            self._flush(kind, name, page, resume, error=error)
            raise error
        return result + self._flush(kind, name, page, None, done=True, newest=newest)

    def _record(self, post: Post, source_hashtags: tuple[str, ...], where: str) -> PostRecord:
        """The post as the node gives it, with comments and owner name where they can be had.

        Those need queries of their own; one failing (a post deleted meanwhile) leaves the
        record without them rather than blocking the feed. Rate limits and logins still end it.
        """
        node: dict[str, Any] = post._node  # the node as received: no further queries
        pictures = tuple(
            MediaRecord(position=position, url=url, is_video=is_video)
            for position, is_video, url in media_items(node)
        )
        cap = self.settings.collect_comments_per_post
        no_comments: tuple[CommentRecord, ...] = ()
        comments = _per_post(
            lambda: post_comments(post, cap), no_comments, f"{where}: comments of {post}"
        )
        record = post_from_node(
            node,
            datetime.now(UTC),
            source_hashtags=source_hashtags,
            media=pictures,
            comments=comments,
        )
        mobile = node.get("iphone_struct")
        if isinstance(mobile, dict):  # a profile feed's node: owner and location live here
            user = mobile.get("user") or {}
            record = replace(
                record,
                owner=record.owner or str(user.get("username") or ""),
                owner_id=record.owner_id or (int(user["pk"]) if user.get("pk") else None),
                location=record.location or location_from_node(mobile),
            )
        if not record.owner and record.owner_id is not None:
            owner_id = record.owner_id
            owner = _per_post(
                lambda: self._owner_name(post, owner_id), "", f"{where}: owner of {post}"
            )
            record = replace(record, owner=owner)
        return record

    def _owner_name(self, post: Post, owner_id: int) -> str:
        """Name of an owner the node gives by id only: from profiles, else from Instagram."""
        with self.engine.connect() as connection:
            known = connection.execute(
                text("SELECT username FROM profiles WHERE user_id = :id LIMIT 1"), {"id": owner_id}
            ).scalar()
        return str(known) if known else post.owner_username

    def _flush(
        self,
        kind: str,
        name: str,
        page: Sequence[PostRecord],
        resume: dict[str, Any] | None,
        *,
        done: bool = False,
        newest: datetime | None = None,
        limited: bool = False,
        error: TrendMinerError | None = None,
    ) -> CollectResult:
        """Download the page's pictures, then write its posts and the state in one transaction;
        ``done`` moves the watermark to ``newest``, else ``resume`` is where the next run goes on.
        """
        posts = self._with_pictures(page)
        status = (
            "ok" if done
            else f"error: {error}" if error
            else "ok: stopped at max_posts; the next run resumes" if limited
            else "running"
        )  # fmt: skip
        with self.engine.begin() as connection:
            written = upsert_posts(connection, posts)
            write_state(
                connection,
                kind,
                name,
                status=status[:500],
                watermark=newest if done else None,
                resume_state=None if done else resume,
            )
        media = [m for p in posts for m in p.media]
        if self.progress is not None:
            self.progress("posts", len(posts))
            self.progress("pictures", len(media))
        return CollectResult(
            posts=len(posts),
            inserted=written.inserted,
            updated=written.updated,
            rejected=written.rejected,
            pictures=len(media),
            pictures_ok=sum(m.status == "ok" for m in media),
            pictures_missing=sum(m.status == "missing" for m in media),
            pictures_corrupt=sum(m.status == "corrupt" for m in media),
            comments=sum(len(p.comment_list) for p in posts),
        )

    def _with_pictures(self, page: Sequence[PostRecord]) -> list[PostRecord]:
        """The page's posts with their pictures: those stored ok already kept, others fetched."""
        stored = self._stored_pictures([post.shortcode for post in page])
        urls = {
            (post.shortcode, position): url
            for post in page
            for position, _, url in post_media(post)
            if url and (post.shortcode, position) not in stored
        }
        if urls:
            stored |= download_pictures(self.store, urls, policy=self.policy)
        posts = []
        for post in page:
            media = []
            for position, is_video, url in post_media(post):
                picture = stored.get((post.shortcode, position))
                media.append(
                    MediaRecord(
                        position=position,
                        url=url,
                        is_video=is_video,
                        path=picture.path if picture else None,
                        sha256=picture.sha256 if picture else None,
                        bytes=picture.bytes if picture else None,
                        width=picture.width if picture else None,
                        height=picture.height if picture else None,
                        status=picture.status if picture else "missing",
                        error=picture.error if picture else "no picture URL in the post",
                    )
                )
            posts.append(replace(post, media=tuple(media)))
        return posts

    def _stored_pictures(self, shortcodes: Sequence[str]) -> dict[tuple[str, int], StoredPicture]:
        """The pictures of these posts stored ok by an earlier run, by (shortcode, position)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT shortcode, position, path, sha256, bytes, width, height FROM media "
                    "WHERE status = 'ok' AND shortcode = ANY(:codes)"
                ),
                {"codes": list(shortcodes)},
            ).all()
        return {
            (row.shortcode, row.position): StoredPicture(
                "ok", row.path, row.sha256, row.bytes, row.width, row.height
            )
            for row in rows
        }


def post_media(post: PostRecord) -> list[tuple[int, bool, str | None]]:
    """(position, is_video, url) of a record's pictures, kept on the record while collecting."""
    return [(m.position, m.is_video, m.url) for m in post.media]


def _pinned(post: Post) -> bool:
    """Whether a profile feed shows this post pinned at its top (out of time order)."""
    mobile = post._node.get("iphone_struct") or {}
    return bool(post._node.get("pinned_for_users") or mobile.get("timeline_pinned_user_ids"))


def _per_post(fetch: Callable[[], T], missing: T, what: str) -> T:
    """``fetch()``, or ``missing`` when it fails for this post alone (not a rate limit or login)."""
    try:
        return fetch()
    except _REQUEST_ERRORS as exc:
        error = _translate(exc, what)
        if isinstance(error, InstagramRateLimitError | InstagramLoginError):
            raise
        logger.warning("%s unavailable, stored without: %s", what, error)
        return missing


def _last_page(iterator: NodeIterator[Post]) -> bool:
    """Whether an exhausted iterator stopped because Instagram said no page follows."""
    remaining = iterator.freeze().remaining_data or {}
    return not (remaining.get("page_info") or {}).get("has_next_page")


def _resume(frozen: FrozenNodeIterator, newest: datetime | None) -> dict[str, Any]:
    """The resume state of a feed: the frozen iterator and the newest post time seen so far."""
    return {"iterator": frozen._asdict(), "newest": newest.isoformat() if newest else None}


def _thaw(iterator: NodeIterator[Post], frozen: dict[str, Any], where: str) -> bool:
    """Resume ``iterator`` at the saved position; False (start from the newest) if unusable."""
    try:
        iterator.thaw(FrozenNodeIterator(**{**frozen, "first_node": frozen.get("first_node")}))
    except (InvalidArgumentException, TypeError) as exc:
        logger.warning("%s: saved position unusable (%s); starting from the newest", where, exc)
        return False
    logger.info("%s: resuming after %d posts", where, frozen.get("total_index", 0))
    return True


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def collect_instagram(
    engine: Engine,
    settings: Settings,
    *,
    hashtags: Sequence[str] | None = None,
    max_posts: int | None = None,
    include_tracked: bool = True,
    loader: instaloader.Instaloader | None = None,
    progress: Progress | None = None,
) -> CollectResult:
    """Collect the configured (or given) hashtags' newest posts; see the module docstring.

    ``hashtags``: None means the configured ones, ``[]`` none (an influencers-only run).
    ``include_tracked``: the tracked influencers' own posts too (``max_posts`` each). Then the
    owners' profiles that are due are fetched. ``loader`` (a logged-in ``Instaloader``)
    defaults to one made from the settings; ``progress(what, n)`` is told of every page's posts
    and pictures.
    """
    tags = [normalise_hashtag(tag) for tag in (settings.hashtags if hashtags is None else hashtags)]
    limit = max_posts or settings.collect_max_posts
    active = loader or make_loader(settings)
    collector = FeedCollector(engine, settings, active, progress)
    sources: list[tuple[str, Callable[[], CollectResult]]] = [
        (f"hashtag {tag}", partial(collector.hashtag, tag, limit)) for tag in tags
    ]
    if include_tracked:
        with engine.connect() as connection:
            tracked = list_names(connection, NameList.TRACKED_INFLUENCERS)
        sources += [
            (f"profile {name}", partial(collector.tracked, name, limit)) for name in tracked
        ]
    if settings.collect_profiles_per_run:
        sources.append(
            ("profile refresh", partial(collector.profiles, settings.collect_profiles_per_run))
        )
    result = CollectResult()
    failed: dict[str, TrendMinerError] = {}
    for source, collect in sources:
        try:
            result += collect()
        except TrendMinerError as exc:
            logger.error("%s failed: %s", source, exc)
            failed[source] = exc
            if isinstance(exc, InstagramRateLimitError | InstagramLoginError):
                break  # every later request would meet the same block
    if loader is None and session_path(settings).exists():
        _save_session(active, session_path(settings))  # cookies Instagram refreshed
    logger.info("instagram collected: %s", json.dumps(result.as_dict()))
    if failed:
        raise _failure(failed)
    return result


def _failure(failed: dict[str, TrendMinerError]) -> TrendMinerError:
    """The error a run with failed sources ends in: the ending one, a retry, or all of them."""
    last = list(failed.values())[-1]
    if isinstance(last, InstagramRateLimitError | InstagramLoginError) or len(failed) == 1:
        return last
    summary = "; ".join(f"{source}: {error}" for source, error in failed.items())
    retries = [e.retry_after_s for e in failed.values() if isinstance(e, RetriableError)]
    if retries:
        return RetriableError(f"{len(failed)} sources failed ({summary})", max(retries))
    return InstagramSourcesError(
        f"{len(failed)} sources failed, the others were collected ({summary}); "
        "each source's state says why"
    )
