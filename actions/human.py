"""A citizen asks for a person or a contact: real contacts, then the offer to file."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction
from bot.config import get_settings
from bot.store.catalogue import helpdesk
from bot.store.repository import get_repository


class ActionRequestHuman(SafeAction):
    """The contact of the office of the service discussed and of the complaint unit (from
    the catalogue), the national complaint channel, and the offer to file a complaint."""

    def name(self) -> str:
        return "action_request_human"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        service_id = tracker.get_slot("service")
        service = get_repository().get_service(service_id) if isinstance(service_id, str) else None
        if service is not None and service.office_phone:
            dispatcher.utter_message(
                response="utter_office_contact",
                office_name=service.office_name,
                office_phone=service.office_phone,
                office_email=service.office_email or "-",
                office_hours=service.office_hours or "-",
            )
        desk = helpdesk(get_settings().catalogue_path)
        if desk is not None and (desk.phone or desk.whatsapp):
            dispatcher.utter_message(
                response="utter_helpdesk_contact",
                helpdesk_name=desk.name,
                helpdesk_phone=desk.phone or "-",
                helpdesk_whatsapp=desk.whatsapp or "-",
                helpdesk_email=desk.email or "-",
                helpdesk_hours=desk.hours or "-",
            )
        dispatcher.utter_message(response="utter_national_complaint_channel")
        dispatcher.utter_message(response="utter_request_human")
        return []
