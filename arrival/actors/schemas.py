"""Explicit API schemas for actors: countries, local governments, networks and memberships."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema

from arrival.core.api import RecordId


class CountryOut(Schema):
    code: str = Field(..., description="ISO 3166-1 alpha-2 (XK for Kosovo)")
    alpha3: str
    numeric: str
    name: str
    official_name: str
    region: str = Field(..., description="UN M49 region")
    subregion: str = Field(..., description="UN M49 sub-region")
    is_sovereign: bool
    local_government_count: int


class ActorRefOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    country: str | None = Field(None, alias="country.code")
    is_demo: bool


class LocalGovernmentOut(Schema):
    id: int
    slug: str
    name: str
    country: str | None = Field(None, alias="country.code", description="ISO 3166-1 alpha-2")
    country_name: str | None = Field(None, alias="country.name")
    geonames_id: int | None = Field(None, alias="local.geonames_id")
    ascii_name: str = Field("", alias="local.ascii_name")
    admin1_code: str = Field("", alias="local.admin1_code", description="GeoNames admin1 code")
    population: int | None = None
    latitude: float | None = Field(None, alias="local.latitude")
    longitude: float | None = Field(None, alias="local.longitude")
    timezone: str = Field("", alias="local.timezone")
    is_demo: bool


class MembershipOut(Schema):
    id: int
    member: ActorRefOut
    network: ActorRefOut
    role: str
    since: date | None
    until: date | None
    source: str
    is_demo: bool = Field(..., description="Demo data: not a real membership")


class LocalGovernmentDetailOut(LocalGovernmentOut):
    alternate_names: list[str] = Field(..., alias="alternate_name_list")
    memberships: list[MembershipOut] = Field(..., alias="membership_list")


class NetworkOut(Schema):
    id: int
    slug: str
    name: str
    website: str
    network_type: str = Field("", alias="network.network_type")
    founded: int | None = Field(None, alias="network.founded")
    scale_as_reported: str = Field("", alias="network.scale_as_reported",
                                   description="The network's own claim about its size")
    secretariat: str = Field("", alias="network.secretariat")
    migration_role: str = Field("", alias="network.migration_role")
    source: str = Field("", alias="network.source", description="Where these facts come from")
    member_count: int = Field(..., description="Current memberships recorded in Arrival")
    is_demo: bool


class NetworkRelationOut(Schema):
    direction: str = Field(..., description="out: this network is the subject; in: the other actor is")
    kind_label: str
    other: ActorRefOut
    source: str


class NetworkDetailOut(NetworkOut):
    relations: list[NetworkRelationOut]


class MembershipIn(Schema):
    member_id: RecordId
    network_id: RecordId
    role: str = Field("member", description="member, founding_member, board, signatory or observer")
    since: date | None = None
    until: date | None = None
    source: str = Field(..., min_length=1, max_length=300, description="Where this membership is documented")


class MembershipEndIn(Schema):
    until: date
