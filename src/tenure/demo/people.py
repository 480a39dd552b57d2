"""People: the vendor's users (CSMs with books of business, one user per role) and the
customers' contacts, including champions who leave before churn."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from argon2 import PasswordHasher

from tenure.demo import names
from tenure.demo.customers import AccountPlan
from tenure.demo.profile import DemoProfile
from tenure.models.types import ContactRole, Role

DEMO_DOMAIN = "demo.tenure.dev"
# Sign-in users, one per role; every other CSM signs in with the csm password.
SIGN_IN_USERS: tuple[tuple[Role, str, str, str], ...] = (
    (Role.admin, f"admin@{DEMO_DOMAIN}", "demo-admin", "Ada Admin"),
    (Role.manager, f"manager@{DEMO_DOMAIN}", "demo-manager", "Morgan Manager"),
    (Role.csm, f"csm@{DEMO_DOMAIN}", "demo-csm", "Casey Csm"),
    (Role.viewer, f"viewer@{DEMO_DOMAIN}", "demo-viewer", "Vic Viewer"),
)
# Demo passwords are public, so a fixed salt costs nothing and keeps the database
# byte-identical for a seed.
DEMO_SALT = b"tenure-demo-salt"


@dataclass
class Staff:
    rows: list[dict[str, object]]
    named_csms: list[int]  # indices into rows of CSMs with a book of business
    pool_csms: list[int]  # indices of the tech-touch pool


def build_staff(profile: DemoProfile, high_touch_accounts: int, rng: np.random.Generator
                ) -> Staff:
    hasher = PasswordHasher()
    hashes = {password: hasher.hash(password, salt=DEMO_SALT)
              for _, _, password, _ in SIGN_IN_USERS}
    rows: list[dict[str, object]] = [
        {"email": email, "name": name, "role": role.value, "password_hash": hashes[password]}
        for role, email, password, name in SIGN_IN_USERS
    ]
    named = [2]
    wanted = max(2, math.ceil(high_touch_accounts / profile.accounts_per_csm))
    used = {"casey.csm"}
    while len(named) < wanted:
        first = names.FIRST_NAMES[int(rng.integers(len(names.FIRST_NAMES)))]
        last = names.LAST_NAMES[int(rng.integers(len(names.LAST_NAMES)))]
        handle = f"{first}.{last}".lower().replace("ü", "ue")
        if handle in used:
            handle = f"{handle}{len(named)}"
        used.add(handle)
        named.append(len(rows))
        rows.append({"email": f"{handle}@{DEMO_DOMAIN}", "name": f"{first} {last}",
                     "role": Role.csm.value, "password_hash": hashes["demo-csm"]})
    pool = []
    for k in range(profile.tech_touch_pool):
        pool.append(len(rows))
        rows.append({"email": f"digital-cs-{k + 1}@{DEMO_DOMAIN}",
                     "name": f"Digital CS {k + 1}", "role": Role.csm.value,
                     "password_hash": hashes["demo-csm"]})
    return Staff(rows, named, pool)


def assign_owners(profile: DemoProfile, accounts: AccountPlan, staff: Staff,
                  rng: np.random.Generator) -> np.ndarray:
    """Owner (index into staff rows) per account: named CSMs split the high-touch book
    evenly at random; the tech-touch pool takes SMB round-robin."""
    high = np.array([profile.tiers[t].high_touch for t in accounts.tier.tolist()], dtype=bool)
    owner = np.empty(accounts.n, dtype=np.int64)
    high_idx = np.flatnonzero(high)
    slots = rng.permutation(high_idx.size) % len(staff.named_csms)
    owner[high_idx] = np.asarray(staff.named_csms)[slots]
    low_idx = np.flatnonzero(~high)
    owner[low_idx] = np.asarray(staff.pool_csms)[np.arange(low_idx.size) % len(staff.pool_csms)]
    return owner


@dataclass
class Contacts:
    account: list[int] = field(default_factory=list)
    external_id: list[str] = field(default_factory=list)
    email: list[str] = field(default_factory=list)
    first_name: list[str] = field(default_factory=list)
    last_name: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    role: list[str | None] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)  # ordinal day the person left, -1
    champion: dict[int, int] = field(default_factory=dict)  # account -> contact index

    def add(self, account: int, domain: str, role: ContactRole, day: int,
            rng: np.random.Generator) -> int:
        first = names.FIRST_NAMES[int(rng.integers(len(names.FIRST_NAMES)))]
        last = names.LAST_NAMES[int(rng.integers(len(names.LAST_NAMES)))]
        titles = names.CONTACT_TITLES[role.value]
        index = len(self.account)
        local = f"{first}.{last}".lower().replace("ü", "ue")
        self.account.append(account)
        self.external_id.append(f"CON-{index + 1:07d}")
        self.email.append(f"{local}.{index + 1}@{domain}")
        self.first_name.append(first)
        self.last_name.append(last)
        self.title.append(titles[int(rng.integers(len(titles)))])
        self.role.append(role.value)
        self.created.append(day)
        self.left.append(-1)
        if role is ContactRole.champion:
            self.champion[account] = index
        return index

    def __len__(self) -> int:
        return len(self.account)


FIXED_ROLES = (ContactRole.champion, ContactRole.decision_maker, ContactRole.billing)


def build_contacts(profile: DemoProfile, accounts: AccountPlan, rng: np.random.Generator
                   ) -> Contacts:
    contacts = Contacts()
    for i in range(accounts.n):
        low, high = profile.tiers[int(accounts.tier[i])].contacts
        count = int(rng.integers(low, high + 1))
        roles = list(FIXED_ROLES) + [ContactRole.admin] * (count >= 5)
        roles += [ContactRole.user] * max(0, count - len(roles))
        for role in roles:
            contacts.add(i, accounts.domain[i], role, int(accounts.acquired[i]), rng)
    return contacts


@dataclass(frozen=True)
class ChampionChange:
    account: int
    day: int
    former: int  # contact index of the champion who left
    successor: int  # contact index of the new champion, -1 when none


def champions_leave(contacts: Contacts, accounts: AccountPlan, churn_day: np.ndarray,
                    declines: np.ndarray, today: int, rng: np.random.Generator
                    ) -> list[ChampionChange]:
    """A third of declining churners lose their champion 30-150 days before churn (a few
    get a replacement); 4% of other accounts change champions at a random time (most
    get a replacement). The champion who left keeps the role and gets `left` set."""
    changes = []
    for i in range(accounts.n):
        if declines[i] and rng.random() < 0.35:
            day, replaced = int(churn_day[i]) - int(rng.integers(30, 151)), rng.random() < 0.3
        elif churn_day[i] < 0 and rng.random() < 0.04:
            day = int(rng.integers(int(accounts.acquired[i]) + 60, today + 61))
            replaced = rng.random() < 0.8
        else:
            continue
        if day > today or day <= accounts.acquired[i] or i not in contacts.champion:
            continue
        former = contacts.champion[i]
        contacts.left[former] = day  # keeps the champion role, for history
        successor = -1
        if replaced and day + 30 <= today:
            successor = contacts.add(i, accounts.domain[i], ContactRole.champion,
                                     day + int(rng.integers(10, 31)), rng)
        changes.append(ChampionChange(i, day, former, successor))
    return changes
