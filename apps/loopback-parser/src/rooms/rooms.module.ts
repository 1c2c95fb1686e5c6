import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { BotsService } from './bots.service';
import { RoomObjects } from './room-objects.repository';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

@Module({
  imports: [InboxModule.forProducer()],
  providers: [RoomsRepository, RoomObjects, BotsService, RoomsService],
  exports: [RoomsService],
})
export class RoomsModule {}
