"""Factories for tests. Org units go through treebeard so their paths are real."""

import datetime

import factory
from django.contrib.auth import get_user_model

from wenyi.campaigns import models as cm
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import Membership, OrgUnit, Person

PASSWORD = "wenyi-test-pass-2014"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.COUNTY
    bodies = factory.LazyFunction(lambda: ["union", "culture", "arts"])

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.objects.add_root(kwargs)
        # treebeard computes the child's path from the parent's counters: use fresh ones
        return model_class.objects.add_child(model_class.objects.get(pk=parent.pk), kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    unit = factory.SubFactory(OrgUnitFactory)
    mobile = factory.Sequence(lambda n: f"139{n:08d}")


def membership(user, unit, role) -> Membership:
    return Membership.objects.create(user=user, unit=unit, role=role)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"测试活动{n}")
    issuer = "测试市总工会"
    year = 2014
    start = datetime.date(2014, 7, 1)
    end = datetime.date(2014, 12, 31)
    owner_unit_code = ""


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.Stage

    campaign = factory.SubFactory(CampaignFactory)
    key = factory.Sequence(lambda n: f"stage{n}")
    name = factory.Sequence(lambda n: f"阶段{n}")
    start = datetime.date(2014, 7, 1)
    end = datetime.date(2014, 7, 31)


class ActivityTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = cm.ActivityType

    campaign = factory.SubFactory(CampaignFactory)
    key = factory.Sequence(lambda n: f"type{n}")
    name = factory.Sequence(lambda n: f"活动类型{n}")
    min_per_year = 4
