"""The demo's people get distinct full names: staff, family members and volunteers never share one (issue 9:
the pact's coordinator also appeared as a volunteer, both drawn from the same seeded Faker sequence)."""


class NameRegistry:
    """Draws names from a Faker and never gives the same full name twice (case-insensitive). ``taken``: the
    full names already in use, e.g. the staff accounts created before the families."""

    def __init__(self, fake, taken=()):
        self.fake = fake
        self.taken = {_key(name) for name in taken}

    def full_name(self, sex=None, last_name=None):
        """(first name, last name): female or male first names for sex "F"/"M", any otherwise; ``last_name``
        fixed for a family member who shares it."""
        for _attempt in range(500):
            first = {"F": self.fake.first_name_female, "M": self.fake.first_name_male}.get(sex, self.fake.first_name)()
            last = last_name or self.fake.last_name()
            if self.claim(f"{first} {last}"):
                return first, last
        raise RuntimeError(f"No free name with the last name {last_name!r}")

    def claim(self, full_name):
        """Reserve a full name; False if it is already taken."""
        if _key(full_name) in self.taken:
            return False
        self.taken.add(_key(full_name))
        return True


def _key(name):
    return " ".join(name.split()).casefold()
