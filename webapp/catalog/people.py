"""People as records: a speaker is never matched by surname alone ("Fawzi, H" and
"Fawzi, A" are two people), and staff merge two records of one person or split one record
of two people. A merged name is kept as an alias, so imports that spell the person the old
way keep landing on the same record."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.catalog.errors import CatalogError
from webapp.catalog.models import Episode, EpisodePerson, Person, PersonAlias
from webapp.catalog.revisions import touch_episodes
from webapp.catalog.text import clean_text, slugify
from webapp.db.engine import mark_show_changed


def unique_person_slug(session: Session, name: str) -> str:
    """A slug for a new person: from the name, numbered when taken."""
    base = slugify(name, 100)
    slug, n = base, 1
    while session.scalar(select(Person.id).where(Person.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def find_person(session: Session, name: str) -> Person | None:
    """The person with this published name, or with it as an alias from a merge."""
    person = session.scalar(select(Person).where(Person.name == name))
    if person is not None:
        return person
    alias = session.scalar(select(PersonAlias).where(PersonAlias.name == name))
    return session.get(Person, alias.person_id) if alias is not None else None


def _touch_shows(session: Session, person_ids: Iterable[int]) -> None:
    query = (
        select(Episode.show_id)
        .join(EpisodePerson, EpisodePerson.episode_id == Episode.id)
        .where(EpisodePerson.person_id.in_(list(person_ids)))
        .distinct()
    )
    for show_id in session.scalars(query):
        mark_show_changed(session, show_id)


def merge_people(session: Session, source: Person, target: Person) -> Person:
    """Make ``source`` part of ``target``: its credits move, its name becomes an alias."""
    if source.id == target.id:
        raise CatalogError("Choose two different people to merge.")
    _touch_shows(session, [source.id, target.id])
    # The bulk UPDATEs below bypass the unit of work: the items of the source's talks now
    # name the target.
    credited = select(EpisodePerson.episode_id).where(EpisodePerson.person_id == source.id)
    touch_episodes(session, Episode.id.in_(credited))
    both = select(EpisodePerson.episode_id).where(EpisodePerson.person_id == target.id)
    # An episode crediting both keeps the target's credit only.
    session.query(EpisodePerson).filter(
        EpisodePerson.person_id == source.id, EpisodePerson.episode_id.in_(both)
    ).delete(synchronize_session=False)
    session.execute(
        update(EpisodePerson)
        .where(EpisodePerson.person_id == source.id)
        .values(person_id=target.id)
    )
    session.execute(
        update(PersonAlias).where(PersonAlias.person_id == source.id).values(person_id=target.id)
    )
    session.add(PersonAlias(name=source.name, person_id=target.id))
    session.delete(source)
    session.flush()
    session.expire_all()
    return target


def split_person(
    session: Session, person: Person, episode_ids: Iterable[int], new_name: str
) -> Person:
    """Give the credits of ``person`` on these episodes to another person, created if new."""
    name = clean_text(new_name)
    if not name:
        raise CatalogError("Give the other person's name.")
    if name == person.name:
        raise CatalogError("The other person needs another name.")
    ids = list(episode_ids)
    if not ids:
        raise CatalogError("Choose the talks that are the other person's.")
    other = find_person(session, name)
    if other is None:
        other = Person(name=name, slug=unique_person_slug(session, name))
        session.add(other)
        session.flush()
    _touch_shows(session, [person.id])
    touch_episodes(
        session,
        Episode.id.in_(
            select(EpisodePerson.episode_id).where(
                EpisodePerson.person_id == person.id, EpisodePerson.episode_id.in_(ids)
            )
        ),
    )
    session.execute(
        update(EpisodePerson)
        .where(EpisodePerson.person_id == person.id, EpisodePerson.episode_id.in_(ids))
        .values(person_id=other.id)
    )
    session.flush()
    session.expire_all()
    return other
